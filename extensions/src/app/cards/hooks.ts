import { useEffect, useRef, useState } from 'react';

/** The value, once it has stopped changing for delayMs. */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    if (Object.is(value, debounced)) return;
    const t = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(t);
  }, [value, delayMs, debounced]);
  return debounced;
}

/** A ref that is false once the component has unmounted. */
export function useMounted(): { current: boolean } {
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  return mounted;
}

/**
 * An overlay's session: a number that grows each time the overlay opens, so
 * its content can be keyed on it and start fresh (new idempotency key, no
 * stale search). open() is safe to call twice (the button's onClick and the
 * panel's onOpen): it counts once until close().
 */
export function useOverlaySession(): { session: number; open: () => void; close: () => void } {
  const [session, setSession] = useState(0);
  const isOpen = useRef(false);
  return {
    session,
    open: () => {
      if (isOpen.current) return;
      isOpen.current = true;
      setSession((s) => s + 1);
    },
    close: () => {
      isOpen.current = false;
    },
  };
}
