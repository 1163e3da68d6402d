// "Connect QuickBooks" / "Reconnect QuickBooks": asks the backend for Intuit's
// consent page, then offers it as a link that opens in a new tab (a card
// cannot navigate HubSpot's own window) and a way to load the card again once
// the admin is back. The consent URL is only known after the call, so it takes
// two clicks: the button, then the link.
import { useEffect, useState } from 'react';
import { Alert, Button, Flex, Link, LoadingSpinner, Text } from '@hubspot/ui-extensions';
import { api, asApiError } from './api';
import { useMounted } from './hooks';
import type { Connection } from './types';

export type ConnectKind = 'connect' | 'reconnect';

/** The backend's signed state is good for 10 minutes; the card offers a new link a little before. */
export const AUTHORIZE_LINK_TTL_MS = 9 * 60 * 1000;

export const CONNECTED_IT = "I've connected it";

/** "reconnect" for a connection QuickBooks wants renewed; "connect" for none or a disconnected one. */
export function connectKindOf(connections: Pick<Connection, 'state'>[]): ConnectKind {
  return connections.some((c) => c.state === 'needs_reconnect') ? 'reconnect' : 'connect';
}

export function connectLabel(kind: ConnectKind): string {
  return kind === 'reconnect' ? 'Reconnect QuickBooks' : 'Connect QuickBooks';
}

type State =
  | { status: 'idle'; note?: string }
  | { status: 'starting' }
  | { status: 'error'; message: string }
  | { status: 'ready'; url: string; checking: boolean; notYet: boolean };

interface Props {
  kind: ConnectKind;
  /**
   * Loads again what depends on the connection; resolves true when it loaded.
   * With it the flow offers "I've connected it"; without it the hint names
   * `retryLabel`, a button of the caller's.
   */
  onRefresh?: () => Promise<boolean>;
  retryLabel?: string;
  size?: 'xs' | 'sm' | 'md';
}

export function ConnectQuickBooks({ kind, onRefresh, retryLabel = 'Try again', size = 'sm' }: Props) {
  const [state, setState] = useState<State>({ status: 'idle' });
  const mounted = useMounted();
  const label = connectLabel(kind);
  const readyUrl = state.status === 'ready' ? state.url : null;

  // A link older than the backend's state would only lead to an error page.
  useEffect(() => {
    if (!readyUrl) return;
    const t = setTimeout(
      () => setState({ status: 'idle', note: `The link to QuickBooks expired. Click "${label}" for a new one.` }),
      AUTHORIZE_LINK_TTL_MS,
    );
    return () => clearTimeout(t);
  }, [readyUrl, label]);

  const start = async () => {
    setState({ status: 'starting' });
    try {
      const res = await api.startConnect();
      if (mounted.current) setState({ status: 'ready', url: res.authorizeUrl, checking: false, notYet: false });
    } catch (e) {
      if (mounted.current) setState({ status: 'error', message: asApiError(e).message });
    }
  };

  const check = async () => {
    if (!onRefresh || state.status !== 'ready') return;
    setState({ ...state, checking: true, notYet: false });
    const loaded = await onRefresh();
    // Still here after a good load: the connection is not usable yet.
    if (mounted.current) setState((s) => (s.status === 'ready' ? { ...s, checking: false, notYet: loaded } : s));
  };

  if (state.status === 'ready') {
    const back = onRefresh ? CONNECTED_IT : retryLabel;
    return (
      <Flex direction="column" gap="xs">
        <Link href={{ url: state.url, external: true }}>Continue to QuickBooks</Link>
        <Text variant="microcopy">
          QuickBooks opens in a new tab. Once you have connected the company there, come back here and click "{back}".
        </Text>
        {onRefresh && (
          <Flex direction="row" gap="xs" align="center" wrap>
            <Button size={size} variant="secondary" disabled={state.checking} onClick={() => void check()}>
              {CONNECTED_IT}
            </Button>
            {state.checking && <LoadingSpinner label="Checking the QuickBooks connection" size="xs" />}
          </Flex>
        )}
        {state.notYet && (
          <Text variant="microcopy">
            QuickBooks is not connected yet. Finish in the QuickBooks tab, then click "{CONNECTED_IT}" again.
          </Text>
        )}
      </Flex>
    );
  }

  const starting = state.status === 'starting';
  return (
    <Flex direction="column" gap="xs">
      {state.status === 'error' && (
        <Alert title="Could not start connecting QuickBooks" variant="danger">
          {state.message}
        </Alert>
      )}
      <Flex direction="row" gap="xs" align="center" wrap>
        <Button size={size} variant="primary" disabled={starting} onClick={() => void start()}>
          {label}
        </Button>
        {starting && <LoadingSpinner label="Opening QuickBooks" size="xs" />}
      </Flex>
      {state.status === 'idle' && state.note && <Text variant="microcopy">{state.note}</Text>}
    </Flex>
  );
}
