// A browser stand-in for '@hubspot/ui-extensions' (and its subpaths) used by
// the local preview (extensions/preview). HubSpot renders a card's React tree
// in a worker and draws its own components; here every component is a thin
// React DOM element with ordinary HTML semantics (button, input, select,
// label, table…) so the SAME card source runs in a real browser and can be
// driven by Playwright. Each rendered root carries data-hs-component="Name"
// (and data-testid when the card gives testId).
//
// Behaviour kept from HubSpot where a card depends on it:
// - Input/TextArea/NumberInput/CurrencyInput keep their own text while typing:
//   onInput fires on every edit, onChange when the value is committed (blur,
//   or Enter in a single-line input), as documented for ui-extensions.
// - Select and DateInput commit (onChange) as soon as a choice is made.
//   Select options are [{label, value}]; DateInput's value is
//   {year, month (0-based), date}.
// - Overlays: a Button/Link/Tag/LoadingButton/Dropdown.ButtonItem `overlay`
//   (a Panel or a Modal) is always mounted, hidden until the trigger is
//   clicked; actions.closeOverlay(id) and the panel's close button hide it.
//   onClick handlers get (event, reactions) with openPanel/closePanel/….
/* eslint-disable react-refresh/only-export-components */
import React, {
  Children,
  createContext,
  isValidElement,
  useContext,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type CSSProperties,
  type ReactElement,
  type ReactNode,
} from 'react';
import { createPortal } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import {
  actions,
  alertStore,
  closeOverlay,
  context,
  dismissAlert,
  hostLog,
  hubspotFetch,
  logStore,
  openOverlay,
  overlayStore,
  preview,
  reactions,
} from './host';

type AnyProps = Record<string, any>;

// ---------------------------------------------------------------------------
// Shared helpers

function hs(name: string, props: { testId?: string } = {}) {
  return { 'data-hs-component': name, ...(props.testId ? { 'data-testid': props.testId } : {}) };
}

const DISTANCES: Record<string, number> = {
  flush: 0,
  xs: 4,
  'extra-small': 4,
  sm: 8,
  small: 8,
  md: 16,
  medium: 16,
  lg: 24,
  large: 24,
  xl: 32,
  'extra-large': 32,
};

function distance(d: string | undefined, fallback = 0) {
  return d == null ? fallback : DISTANCES[d] ?? fallback;
}

const FLEX_JUSTIFY: Record<string, string> = {
  start: 'flex-start',
  end: 'flex-end',
  center: 'center',
  between: 'space-between',
  around: 'space-around',
};
const FLEX_ALIGN: Record<string, string> = {
  start: 'flex-start',
  end: 'flex-end',
  center: 'center',
  baseline: 'baseline',
  stretch: 'stretch',
  auto: 'auto',
};

function cx(...names: (string | false | null | undefined)[]) {
  return names.filter(Boolean).join(' ');
}

function hrefOf(href: unknown): { url: string; external: boolean } | null {
  if (!href) return null;
  if (typeof href === 'string') return { url: href, external: /^https?:\/\//.test(href) };
  if (typeof href === 'object' && 'url' in (href as AnyProps)) {
    const h = href as { url: string; external?: boolean };
    return { url: h.url, external: h.external ?? /^https?:\/\//.test(h.url) };
  }
  return null;
}

function useStore<T>(store: { get: () => T; subscribe: (l: () => void) => () => void }) {
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}

// ---------------------------------------------------------------------------
// Events as HubSpot hands them to handlers

export class ExtensionEvent {
  type: string;
  bubbles: boolean;
  timeStamp: number;
  id: string;
  constructor(event: Event) {
    this.type = event?.type ?? 'click';
    this.bubbles = event?.bubbles ?? false;
    this.timeStamp = event?.timeStamp ?? Date.now();
    this.id = `event-${Math.random().toString(36).slice(2)}`;
  }
}

export class FormSubmitExtensionEvent<V> extends ExtensionEvent {
  targetValue: V;
  constructor(value: V, event: Event) {
    super(event);
    this.targetValue = value;
  }
}

export class RemoteEvent<V> extends FormSubmitExtensionEvent<V> {}

// The real table of icon names (a plain object; imported by path past the package's exports map).
export { iconNames } from '../node_modules/@hubspot/ui-extensions/dist/shared.synced/types/shared.synced.js';

export enum ServerlessExecutionStatus {
  Success = 'SUCCESS',
  Error = 'ERROR',
}

// ---------------------------------------------------------------------------
// Overlays

interface OverlayOwner {
  register(id: string): void;
}
const OverlayOwnerContext = createContext<OverlayOwner | null>(null);

let overlayRoot: HTMLElement | null = null;
function getOverlayRoot() {
  if (!overlayRoot) {
    overlayRoot = document.getElementById('hs-overlays');
    if (!overlayRoot) {
      overlayRoot = document.createElement('div');
      overlayRoot.id = 'hs-overlays';
      document.body.appendChild(overlayRoot);
    }
  }
  return overlayRoot;
}

function isTooltip(node: unknown): node is ReactElement {
  return isValidElement(node) && node.type === Tooltip;
}

function staticOverlayId(node: unknown): string | null {
  if (isValidElement(node) && (node.type === Panel || node.type === Modal)) {
    const id = (node.props as AnyProps).id;
    return typeof id === 'string' ? id : null;
  }
  return null;
}

/** Renders a trigger's overlay fragment (always mounted) and opens it on demand. */
function useOverlay(overlay: ReactNode) {
  const registered = useRef<string | null>(null);
  const owner = useMemo<OverlayOwner>(() => ({ register: (id) => (registered.current = id) }), []);
  const tooltip = isTooltip(overlay) ? overlay : null;
  const fragment =
    overlay == null || overlay === false || tooltip ? null : (
      <OverlayOwnerContext.Provider value={owner}>{overlay}</OverlayOwnerContext.Provider>
    );
  return {
    fragment,
    tooltip,
    open() {
      if (fragment) openOverlay(staticOverlayId(overlay) ?? registered.current);
    },
  };
}

function WithTooltip({ tooltip, children }: { tooltip: ReactElement | null; children: ReactNode }) {
  if (!tooltip) return <>{children}</>;
  return (
    <span className="hs-has-tooltip">
      {children}
      {tooltip}
    </span>
  );
}

function useOverlayLifecycle(id: string, onOpen?: () => void, onClose?: () => void) {
  const openIds = useStore(overlayStore);
  const open = openIds.includes(id);
  const owner = useContext(OverlayOwnerContext);
  useEffect(() => {
    owner?.register(id);
  }, [owner, id]);
  const was = useRef(open);
  const handlers = useRef({ onOpen, onClose });
  handlers.current = { onOpen, onClose };
  useEffect(() => {
    if (was.current === open) return;
    was.current = open;
    if (open) handlers.current.onOpen?.();
    else handlers.current.onClose?.();
  }, [open]);
  return { open, depth: openIds.indexOf(id) };
}

const PANEL_WIDTHS: Record<string, number> = { sm: 400, small: 400, md: 600, medium: 600, lg: 800, large: 800 };

export function Panel(props: AnyProps) {
  const { id, title, children, onOpen, onClose, width = 'sm', variant = 'default', testId } = props;
  const { open, depth } = useOverlayLifecycle(id, onOpen, onClose);
  const titleId = useId();
  return createPortal(
    <div className={cx('hs-overlay', 'hs-panel-layer', variant === 'modal' && 'hs-overlay-modal')} hidden={!open} style={{ zIndex: 100 + depth }}>
      <div className="hs-backdrop" />
      <section
        {...hs('Panel', { testId })}
        id={id ? `hs-panel-${id}` : undefined}
        data-overlay-id={id}
        className="hs-panel"
        role="dialog"
        aria-modal={variant === 'modal' ? true : undefined}
        aria-label={props['aria-label'] ?? (title ? undefined : id)}
        aria-labelledby={props['aria-label'] || !title ? undefined : titleId}
        style={{ width: PANEL_WIDTHS[width] ?? 400 }}
      >
        <header className="hs-panel-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="hs-close" aria-label="Close" onClick={() => closeOverlay(id)}>
            ×
          </button>
        </header>
        <OverlayOwnerContext.Provider value={null}>
          <div className="hs-panel-content">{children}</div>
        </OverlayOwnerContext.Provider>
      </section>
    </div>,
    getOverlayRoot(),
  );
}

export function PanelBody({ children, testId }: AnyProps) {
  return (
    <div {...hs('PanelBody', { testId })} className="hs-panel-body">
      {children}
    </div>
  );
}

export function PanelSection({ children, flush, testId }: AnyProps) {
  return (
    <div {...hs('PanelSection', { testId })} className={cx('hs-panel-section', flush && 'hs-flush')}>
      {children}
    </div>
  );
}

export function PanelFooter({ children, testId }: AnyProps) {
  return (
    <footer {...hs('PanelFooter', { testId })} className="hs-panel-footer">
      {children}
    </footer>
  );
}

export function Modal(props: AnyProps) {
  const { id, title, children, onOpen, onClose, width = 'md', variant = 'default', testId } = props;
  const { open, depth } = useOverlayLifecycle(id, onOpen, onClose);
  const titleId = useId();
  return createPortal(
    <div className={cx('hs-overlay', 'hs-modal-layer', 'hs-overlay-modal')} hidden={!open} style={{ zIndex: 100 + depth }}>
      <div className="hs-backdrop" />
      <section
        {...hs('Modal', { testId })}
        data-overlay-id={id}
        className={cx('hs-modal', variant === 'danger' && 'hs-modal-danger')}
        role="dialog"
        aria-modal
        aria-label={props['aria-label'] ?? (title ? undefined : id)}
        aria-labelledby={props['aria-label'] || !title ? undefined : titleId}
        style={{ width: PANEL_WIDTHS[width] ?? 600 }}
      >
        <header className="hs-panel-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="hs-close" aria-label="Close" onClick={() => closeOverlay(id)}>
            ×
          </button>
        </header>
        <OverlayOwnerContext.Provider value={null}>
          <div className="hs-panel-content">{children}</div>
        </OverlayOwnerContext.Provider>
      </section>
    </div>,
    getOverlayRoot(),
  );
}

export function ModalBody({ children, testId }: AnyProps) {
  return (
    <div {...hs('ModalBody', { testId })} className="hs-panel-body">
      {children}
    </div>
  );
}

export function ModalFooter({ children, testId }: AnyProps) {
  return (
    <footer {...hs('ModalFooter', { testId })} className="hs-panel-footer">
      {children}
    </footer>
  );
}

export function Tooltip({ children, placement = 'top', testId }: AnyProps) {
  return (
    <span {...hs('Tooltip', { testId })} role="tooltip" className={`hs-tooltip hs-tooltip-${placement}`}>
      {children}
    </span>
  );
}

// ---------------------------------------------------------------------------
// Buttons and links

function buttonClass(variant: string | undefined, size: string | undefined) {
  return cx('hs-button', `hs-button-${variant || 'secondary'}`, size && `hs-button-${size}`);
}

export function Button(props: AnyProps) {
  const { children, onClick, href, disabled, variant = 'secondary', type = 'button', size, overlay, testId } = props;
  const o = useOverlay(overlay);
  const link = hrefOf(href);
  const handle = (e: React.MouseEvent) => {
    if (disabled) return;
    onClick?.(new ExtensionEvent(e.nativeEvent), reactions);
    o.open();
  };
  const el = link ? (
    <a
      {...hs('Button', { testId })}
      className={buttonClass(variant, size)}
      href={link.url}
      target={link.external ? '_blank' : undefined}
      rel={link.external ? 'noopener noreferrer' : undefined}
      aria-disabled={disabled || undefined}
      onClick={handle}
    >
      {children}
    </a>
  ) : (
    <button {...hs('Button', { testId })} type={type} className={buttonClass(variant, size)} disabled={disabled} onClick={handle}>
      {children}
    </button>
  );
  return (
    <>
      <WithTooltip tooltip={o.tooltip}>{el}</WithTooltip>
      {o.fragment}
    </>
  );
}

export function LoadingButton(props: AnyProps) {
  const { children, onClick, disabled, variant = 'secondary', type = 'button', size, overlay, overlayOptions, loading, resultIconName, testId } =
    props;
  const o = useOverlay(overlay);
  const afterLoading = overlayOptions?.openBehavior === 'onLoadingFinish';
  const pending = useRef(false);
  useEffect(() => {
    if (afterLoading && pending.current && !loading) {
      pending.current = false;
      o.open();
    }
  });
  const handle = (e: React.MouseEvent) => {
    if (disabled || loading) return;
    onClick?.(new ExtensionEvent(e.nativeEvent), reactions);
    if (afterLoading) pending.current = true;
    else o.open();
  };
  return (
    <>
      <WithTooltip tooltip={o.tooltip}>
        <button
          {...hs('LoadingButton', { testId })}
          type={type}
          className={buttonClass(variant, size)}
          disabled={disabled || loading}
          aria-busy={loading || undefined}
          data-loading={loading ? 'true' : undefined}
          onClick={handle}
        >
          {loading ? <span className="hs-spinner hs-spinner-inline" aria-hidden /> : null}
          {children}
          {!loading && resultIconName ? <Icon name={resultIconName} /> : null}
        </button>
      </WithTooltip>
      {o.fragment}
    </>
  );
}

export function ButtonRow({ children, testId }: AnyProps) {
  return (
    <div {...hs('ButtonRow', { testId })} className="hs-button-row">
      {children}
    </div>
  );
}

export function Link(props: AnyProps) {
  const { children, href, variant = 'primary', onClick, preventDefault, overlay, testId } = props;
  const o = useOverlay(overlay);
  const link = hrefOf(href);
  const handle = (e: React.MouseEvent) => {
    if (!link || preventDefault || (!link.url && (onClick || o.fragment))) e.preventDefault();
    onClick?.(new ExtensionEvent(e.nativeEvent), reactions);
    o.open();
  };
  return (
    <>
      <WithTooltip tooltip={o.tooltip}>
        <a
          {...hs('Link', { testId })}
          className={cx('hs-link', `hs-link-${variant}`)}
          href={link?.url || '#'}
          target={link?.external ? '_blank' : undefined}
          rel={link?.external ? 'noopener noreferrer' : undefined}
          onClick={handle}
        >
          {children}
          {link?.external ? <span aria-hidden className="hs-external"> ↗</span> : null}
        </a>
      </WithTooltip>
      {o.fragment}
    </>
  );
}

function DropdownButtonItem(props: AnyProps) {
  const { children, onClick, overlay, testId } = props;
  const o = useOverlay(overlay);
  const close = useContext(DropdownCloseContext);
  return (
    <li role="none">
      <button
        {...hs('DropdownButtonItem', { testId })}
        type="button"
        role="menuitem"
        className="hs-menu-item"
        onClick={(e) => {
          close();
          onClick?.(new ExtensionEvent(e.nativeEvent), reactions);
          o.open();
        }}
      >
        {children}
      </button>
      {o.fragment}
    </li>
  );
}

const DropdownCloseContext = createContext<() => void>(() => {});

function DropdownBase(props: AnyProps) {
  const { options, variant = 'secondary', buttonText = 'More', buttonSize, disabled, children, testId } = props;
  const [open, setOpen] = useState(false);
  const menuId = useId();
  return (
    <div {...hs('Dropdown', { testId })} className="hs-dropdown">
      <button
        type="button"
        className={buttonClass(variant, buttonSize)}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={menuId}
        disabled={disabled}
        onClick={() => setOpen(!open)}
      >
        {buttonText} ▾
      </button>
      {/* Kept mounted while closed so items' overlays stay rendered. */}
      <ul id={menuId} role="menu" className="hs-menu" hidden={!open}>
        <DropdownCloseContext.Provider value={() => setOpen(false)}>
          {(options ?? []).map((opt: AnyProps, i: number) => (
            <li role="none" key={`opt-${i}`}>
              <button
                type="button"
                role="menuitem"
                className="hs-menu-item"
                onClick={() => {
                  setOpen(false);
                  opt.onClick?.();
                }}
              >
                {opt.label}
              </button>
            </li>
          ))}
          {children}
        </DropdownCloseContext.Provider>
      </ul>
    </div>
  );
}

export const Dropdown = Object.assign(DropdownBase, { ButtonItem: DropdownButtonItem });

// ---------------------------------------------------------------------------
// Text and content

export function Text({ children, variant = 'bodytext', inline, format, truncate, testId }: AnyProps) {
  const style: CSSProperties = {};
  if (format?.fontWeight === 'bold') style.fontWeight = 700;
  if (format?.fontWeight === 'demibold') style.fontWeight = 600;
  if (format?.italic) style.fontStyle = 'italic';
  if (format?.lineDecoration === 'underline') style.textDecoration = 'underline';
  if (format?.lineDecoration === 'strikethrough') style.textDecoration = 'line-through';
  if (format?.textTransform && format.textTransform !== 'sentenceCase' && format.textTransform !== 'none') style.textTransform = format.textTransform;
  if (truncate) {
    Object.assign(style, { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' });
    if (typeof truncate === 'object' && truncate.maxWidth) style.maxWidth = truncate.maxWidth;
  }
  const Tag = inline ? 'span' : 'p';
  return (
    <Tag
      {...hs('Text', { testId })}
      className={cx('hs-text', variant === 'microcopy' && 'hs-microcopy', inline && 'hs-inline')}
      style={style}
      title={typeof truncate === 'object' ? truncate.tooltipText : undefined}
    >
      {children}
    </Tag>
  );
}

export function Heading({ children, inline, testId }: AnyProps) {
  return (
    <h3 {...hs('Heading', { testId })} className={cx('hs-heading', inline && 'hs-inline')}>
      {children}
    </h3>
  );
}

export function Divider({ distance: d = 'sm', testId }: AnyProps) {
  const m = distance(d, 8);
  return <hr {...hs('Divider', { testId })} className="hs-divider" style={{ marginTop: m, marginBottom: m }} />;
}

export function Spacer({ size = 'md', testId }: AnyProps) {
  return <div {...hs('Spacer', { testId })} aria-hidden style={{ height: distance(size, 16) }} />;
}

const ICON_GLYPHS: Record<string, string> = {
  add: '+',
  success: '✓',
  checkCircle: '✓',
  delete: '🗑',
  remove: '−',
  edit: '✎',
  refresh: '⟳',
  rotate: '⟳',
  send: '➤',
  email: '✉',
  download: '⭳',
  upload: '⭱',
  search: '🔍',
  warning: '⚠',
  exclamation: '!',
  exclamationCircle: '⚠',
  info: 'ℹ',
  question: '?',
  questionCircle: '?',
  link: '🔗',
  externalLink: '↗',
  copy: '⧉',
  date: '📅',
  invoice: '🧾',
  quickbooks: 'qb',
  left: '‹',
  right: '›',
  upCarat: '▴',
  downCarat: '▾',
  ellipses: '…',
  filter: '⏷',
  file: '📄',
  documents: '📄',
  locked: '🔒',
  settings: '⚙',
};

export function Icon({ name, size = 'sm', color = 'inherit', screenReaderText, testId }: AnyProps) {
  return (
    <span {...hs('Icon', { testId })} data-icon={name} className={cx('hs-icon', `hs-icon-${size}`, `hs-icon-${color}`)}>
      <span aria-hidden>{ICON_GLYPHS[name] ?? '•'}</span>
      {screenReaderText ? <span className="hs-visually-hidden">{screenReaderText}</span> : null}
    </span>
  );
}

export function Image({ src, alt = '', width, height, href, onClick, overlay, testId }: AnyProps) {
  const o = useOverlay(overlay);
  const link = hrefOf(href);
  const img = (
    <img
      {...hs('Image', { testId })}
      src={src}
      alt={alt}
      width={width}
      height={height}
      onClick={(e) => {
        onClick?.(new ExtensionEvent(e.nativeEvent), reactions);
        o.open();
      }}
    />
  );
  return (
    <>
      {link ? (
        <a href={link.url} target={link.external ? '_blank' : undefined} rel="noopener noreferrer">
          {img}
        </a>
      ) : (
        img
      )}
      {o.fragment}
    </>
  );
}

export function Illustration({ name, alt, width = 120, height, testId }: AnyProps) {
  return (
    <span {...hs('Illustration', { testId })} role="img" aria-label={alt} data-name={name} className="hs-illustration" style={{ width, height: height ?? width * 0.6 }} />
  );
}

const TAG_VARIANTS = new Set(['default', 'warning', 'success', 'error', 'info', 'danger']);

export function Tag(props: AnyProps) {
  const { children, variant = 'default', onClick, inline, overlay, testId } = props;
  const o = useOverlay(overlay);
  const cls = cx('hs-tag', `hs-tag-${TAG_VARIANTS.has(variant) ? variant : 'default'}`, inline && 'hs-inline');
  const el =
    onClick || o.fragment ? (
      <button
        {...hs('Tag', { testId })}
        type="button"
        data-variant={variant}
        className={cls}
        onClick={(e) => {
          onClick?.(new ExtensionEvent(e.nativeEvent), reactions);
          o.open();
        }}
      >
        {children}
      </button>
    ) : (
      <span {...hs('Tag', { testId })} data-variant={variant} className={cls}>
        {children}
      </span>
    );
  return (
    <>
      <WithTooltip tooltip={o.tooltip}>{el}</WithTooltip>
      {o.fragment}
    </>
  );
}

export function StatusTag({ children, variant = 'default', hollow, onClick, showRemoveIcon, onRemoveClick, testId }: AnyProps) {
  const cls = cx('hs-status-tag', `hs-status-${variant}`, hollow && 'hs-hollow');
  const body = (
    <>
      <span className="hs-status-dot" aria-hidden />
      <span className="hs-status-label">{children}</span>
    </>
  );
  return (
    <span {...hs('StatusTag', { testId })} data-variant={variant} className={cls}>
      {onClick ? (
        <button type="button" className="hs-unbutton" onClick={() => onClick()}>
          {body}
        </button>
      ) : (
        body
      )}
      {showRemoveIcon ? (
        <button type="button" className="hs-unbutton hs-remove" aria-label="Remove" onClick={() => onRemoveClick?.()}>
          ×
        </button>
      ) : null}
    </span>
  );
}

const ALERT_ROLES: Record<string, string> = { error: 'alert', danger: 'alert', warning: 'alert' };

export function Alert({ title, children, variant = 'info', testId }: AnyProps) {
  return (
    <div {...hs('Alert', { testId })} data-variant={variant} role={ALERT_ROLES[variant] ?? 'status'} className={cx('hs-alert', `hs-alert-${variant}`)}>
      {title ? <strong className="hs-alert-title">{title}</strong> : null}
      {children != null ? <div className="hs-alert-body">{children}</div> : null}
    </div>
  );
}

export function EmptyState({ children, title, flush, layout = 'horizontal', reverseOrder, imageWidth = 120, imageName, testId }: AnyProps) {
  return (
    <section
      {...hs('EmptyState', { testId })}
      className={cx('hs-empty-state', `hs-layout-${layout}`, flush && 'hs-flush', reverseOrder && 'hs-reverse')}
    >
      <span className="hs-illustration" aria-hidden data-name={imageName ?? 'emptyStateCharts'} style={{ width: imageWidth, height: imageWidth * 0.6 }} />
      <div>
        {title ? <h3 className="hs-heading">{title}</h3> : null}
        {children}
      </div>
    </section>
  );
}

export function ErrorState({ children, title, type = 'error', testId }: AnyProps) {
  return (
    <section {...hs('ErrorState', { testId })} role="alert" data-type={type} className="hs-error-state">
      <span className="hs-illustration hs-illustration-error" aria-hidden />
      <div>
        {title ? <h3 className="hs-heading">{title}</h3> : null}
        {children}
      </div>
    </section>
  );
}

export function LoadingSpinner({ label, showLabel, size = 'sm', layout = 'inline', testId }: AnyProps) {
  return (
    <div {...hs('LoadingSpinner', { testId })} role="status" aria-label={label} className={cx('hs-loading', `hs-layout-${layout}`)}>
      <span className={cx('hs-spinner', `hs-spinner-${size}`)} aria-hidden />
      {showLabel ? <span className="hs-loading-label">{label}</span> : null}
    </div>
  );
}

export function ProgressBar(props: AnyProps) {
  const { title, showPercentage, value = 0, maxValue, valueMax, valueDescription, variant = 'success', testId } = props;
  const max = maxValue ?? valueMax ?? 100;
  const pct = max ? Math.round((value / max) * 100) : 0;
  return (
    <div {...hs('ProgressBar', { testId })} className={cx('hs-progress', `hs-progress-${variant}`)}>
      {title ? <div className="hs-progress-title">{title}</div> : null}
      <div role="progressbar" aria-label={props['aria-label'] ?? title} aria-valuenow={value} aria-valuemin={0} aria-valuemax={max} className="hs-progress-track">
        <div className="hs-progress-fill" style={{ width: `${Math.min(100, Math.max(0, pct))}%` }} />
      </div>
      <div className="hs-microcopy">
        {showPercentage ? `${pct}%` : null} {valueDescription}
      </div>
    </div>
  );
}

export function ScoreCircle({ score, testId }: AnyProps) {
  return (
    <span {...hs('ScoreCircle', { testId })} className="hs-score" role="img" aria-label={`Score ${score}`}>
      {score}
    </span>
  );
}

function Chart({ name, props }: { name: string; props: AnyProps }) {
  return (
    <figure {...hs(name, { testId: props.testId })} className="hs-chart">
      <figcaption>{props.options?.title ?? name} (charts are not drawn in the local preview)</figcaption>
    </figure>
  );
}
export const BarChart = (props: AnyProps) => <Chart name="BarChart" props={props} />;
export const LineChart = (props: AnyProps) => <Chart name="LineChart" props={props} />;

export function List({ children, variant = 'unordered', testId }: AnyProps) {
  const ordered = variant.startsWith('ordered');
  const L = ordered ? 'ol' : 'ul';
  return (
    <L {...hs('List', { testId })} className={cx('hs-list', `hs-list-${variant}`)}>
      {Children.toArray(children).map((child, i) => (
        <li key={(isValidElement(child) && child.key) || i}>{child}</li>
      ))}
    </L>
  );
}

export function DescriptionList({ children, direction = 'column', testId }: AnyProps) {
  return (
    <dl {...hs('DescriptionList', { testId })} className={cx('hs-dl', `hs-dl-${direction}`)}>
      {children}
    </dl>
  );
}

export function DescriptionListItem({ children, label, testId }: AnyProps) {
  return (
    <div {...hs('DescriptionListItem', { testId })} className="hs-dl-item">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function Statistics({ children, testId }: AnyProps) {
  return (
    <div {...hs('Statistics', { testId })} className="hs-statistics">
      {children}
    </div>
  );
}

export function StatisticsItem({ label, number, children, id, testId }: AnyProps) {
  return (
    <div {...hs('StatisticsItem', { testId })} id={id} className="hs-statistics-item">
      <div className="hs-microcopy">{label}</div>
      <div className="hs-statistic-number">{number}</div>
      {children}
    </div>
  );
}

export function StatisticsTrend({ value, direction, color, testId }: AnyProps) {
  return (
    <span {...hs('StatisticsTrend', { testId })} className={cx('hs-trend', color === 'red' ? 'hs-red' : color === 'green' ? 'hs-green' : null)}>
      {direction === 'decrease' ? '▼' : '▲'} {value}
    </span>
  );
}

export function Accordion({ title, children, defaultOpen, disabled, open, size, onClick, testId }: AnyProps) {
  const [isOpen, setOpen] = useState(open ?? defaultOpen ?? false);
  useEffect(() => {
    if (open !== undefined) setOpen(open);
  }, [open]);
  return (
    <div {...hs('Accordion', { testId })} className={cx('hs-accordion', size && `hs-size-${size}`)}>
      <button
        type="button"
        className="hs-accordion-toggle"
        aria-expanded={isOpen}
        disabled={disabled}
        onClick={() => {
          onClick?.();
          if (open === undefined) setOpen(!isOpen);
        }}
      >
        <span aria-hidden>{isOpen ? '▾' : '▸'}</span> {title}
      </button>
      <div className="hs-accordion-body" hidden={!isOpen}>
        {children}
      </div>
    </div>
  );
}

const TabsContext = createContext<{ selected: string | number | undefined; select(id: string | number): void } | null>(null);

export function Tabs({ children, onSelectedChange, defaultSelected, selected, variant = 'default', fill, testId }: AnyProps) {
  const tabs = Children.toArray(children).filter(isValidElement) as ReactElement<AnyProps>[];
  const firstId = tabs[0]?.props.tabId ?? 0;
  const [internal, setInternal] = useState(defaultSelected ?? firstId);
  const current = selected ?? internal;
  return (
    <div {...hs('Tabs', { testId })} className={cx('hs-tabs', `hs-tabs-${variant}`)}>
      <div role="tablist" className={cx('hs-tablist', fill && 'hs-fill')}>
        {tabs.map((tab, i) => {
          const id = tab.props.tabId ?? i;
          return (
            <button
              key={String(id)}
              type="button"
              role="tab"
              aria-selected={id === current}
              disabled={tab.props.disabled}
              title={tab.props.tooltip}
              className="hs-tab"
              onClick={() => {
                setInternal(id);
                onSelectedChange?.(id);
              }}
            >
              {tab.props.title}
            </button>
          );
        })}
      </div>
      {tabs.map((tab, i) => {
        const id = tab.props.tabId ?? i;
        return (
          <div key={String(id)} role="tabpanel" hidden={id !== current} {...hs('Tab', { testId: tab.props.testId })}>
            {tab.props.children}
          </div>
        );
      })}
    </div>
  );
}

export function Tab({ children }: AnyProps) {
  // Rendered by Tabs; a Tab outside Tabs just shows its content.
  return <>{children}</>;
}

// ---------------------------------------------------------------------------
// Layout

export function Flex({ children, gap = 'flush', direction = 'row', justify, align, alignSelf, wrap, testId }: AnyProps) {
  const style: CSSProperties = {
    display: 'flex',
    flexDirection: direction === 'column' ? 'column' : 'row',
    gap: distance(gap),
    justifyContent: justify ? FLEX_JUSTIFY[justify] : undefined,
    alignItems: align ? FLEX_ALIGN[align] : undefined,
    alignSelf: alignSelf ? FLEX_ALIGN[alignSelf] : undefined,
    flexWrap: wrap === true || wrap === 'wrap' ? 'wrap' : 'nowrap',
  };
  return (
    <div {...hs('Flex', { testId })} className="hs-flex" data-direction={direction === 'column' ? 'column' : 'row'} data-align={align} style={style}>
      {children}
    </div>
  );
}

export function Box({ children, alignSelf, flex, testId }: AnyProps) {
  const style: CSSProperties = {
    alignSelf: alignSelf ? FLEX_ALIGN[alignSelf] : undefined,
    flex: flex === undefined ? undefined : typeof flex === 'number' ? `${flex} ${flex} 0%` : flex === 'auto' ? '1 1 auto' : flex === 'none' ? '0 0 auto' : '0 1 auto',
    minWidth: 0,
  };
  return (
    <div {...hs('Box', { testId })} className="hs-box" style={style}>
      {children}
    </div>
  );
}

export function Inline({ children, justify, align = 'center', gap = 'sm', testId }: AnyProps) {
  return (
    <div
      {...hs('Inline', { testId })}
      style={{ display: 'flex', flexWrap: 'wrap', gap: distance(gap, 8), justifyContent: justify ? FLEX_JUSTIFY[justify] : undefined, alignItems: FLEX_ALIGN[align] }}
    >
      {children}
    </div>
  );
}

export function Stack({ children, distance: d = 'sm', direction = 'column', justify, align, width, testId }: AnyProps) {
  return (
    <div
      {...hs('Stack', { testId })}
      style={{
        display: 'flex',
        flexDirection: direction,
        gap: distance(d, 8),
        justifyContent: justify ? FLEX_JUSTIFY[justify] : undefined,
        alignItems: align ? FLEX_ALIGN[align] : undefined,
        width,
      }}
    >
      {children}
    </div>
  );
}

export function AutoGrid({ children, columnWidth, gap = 'sm', flexible, testId }: AnyProps) {
  return (
    <div
      {...hs('AutoGrid', { testId })}
      style={{ display: 'grid', gap: distance(gap, 8), gridTemplateColumns: `repeat(auto-fill, minmax(${columnWidth}px, ${flexible ? '1fr' : `${columnWidth}px`}))` }}
    >
      {children}
    </div>
  );
}

export function Tile({ children, compact, flush, testId }: AnyProps) {
  return (
    <div {...hs('Tile', { testId })} className={cx('hs-tile', compact && 'hs-compact', flush && 'hs-flush')}>
      {children}
    </div>
  );
}

export function Card({ children, testId }: AnyProps) {
  return (
    <div {...hs('Card', { testId })} className="hs-tile">
      {children}
    </div>
  );
}

// ---------------------------------------------------------------------------
// Tables

export function Table(props: AnyProps) {
  const { children, bordered = true, flush, density = 'default', paginated, pageCount = 1, page, onPageChange, showButtonLabels = true, showFirstLastButtons, maxVisiblePageButtons, testId } =
    props;
  const [internalPage, setInternalPage] = useState(1);
  const current = page ?? internalPage;
  const go = (p: number) => {
    if (p < 1 || p > pageCount) return;
    setInternalPage(p);
    onPageChange?.(p);
  };
  const max = Math.max(1, maxVisiblePageButtons ?? 5);
  const start = Math.max(1, Math.min(current - Math.floor(max / 2), pageCount - max + 1));
  const pages = Array.from({ length: Math.min(max, pageCount) }, (_, i) => start + i);
  return (
    <div {...hs('Table', { testId })} className={cx('hs-table-wrap', flush && 'hs-flush')}>
      <table className={cx('hs-table', bordered && 'hs-bordered', `hs-density-${density}`)}>{children}</table>
      {paginated ? (
        <nav aria-label="Pagination" className="hs-pagination">
          {showFirstLastButtons ? (
            <button type="button" className="hs-unbutton" disabled={current <= 1} onClick={() => go(1)}>
              First
            </button>
          ) : null}
          <button type="button" className="hs-unbutton" aria-label="Previous page" disabled={current <= 1} onClick={() => go(current - 1)}>
            ‹ {showButtonLabels ? 'Prev' : ''}
          </button>
          {pages.map((p) => (
            <button key={p} type="button" className="hs-unbutton" aria-current={p === current ? 'page' : undefined} onClick={() => go(p)}>
              {p}
            </button>
          ))}
          <button type="button" className="hs-unbutton" aria-label="Next page" disabled={current >= pageCount} onClick={() => go(current + 1)}>
            {showButtonLabels ? 'Next' : ''} ›
          </button>
          {showFirstLastButtons ? (
            <button type="button" className="hs-unbutton" disabled={current >= pageCount} onClick={() => go(pageCount)}>
              Last
            </button>
          ) : null}
        </nav>
      ) : null}
    </div>
  );
}

export function TableHead({ children, testId }: AnyProps) {
  return <thead {...hs('TableHead', { testId })}>{children}</thead>;
}
export function TableBody({ children, testId }: AnyProps) {
  return <tbody {...hs('TableBody', { testId })}>{children}</tbody>;
}
export function TableFooter({ children, testId }: AnyProps) {
  return <tfoot {...hs('TableFooter', { testId })}>{children}</tfoot>;
}
export function TableRow({ children, testId }: AnyProps) {
  return <tr {...hs('TableRow', { testId })}>{children}</tr>;
}

function cellWidth(width: unknown): CSSProperties {
  if (typeof width === 'number') return { width };
  if (width === 'min') return { width: '1%', whiteSpace: 'nowrap' };
  if (width === 'max') return { width: '100%' };
  return {};
}

export function TableHeader({ children, align = 'left', width, sortDirection, onSortChange, disabled, testId }: AnyProps) {
  const sortable = sortDirection && sortDirection !== 'never';
  const next = sortDirection === 'ascending' ? 'descending' : 'ascending';
  return (
    <th
      {...hs('TableHeader', { testId })}
      scope="col"
      aria-sort={sortable && sortDirection !== 'none' ? sortDirection : undefined}
      style={{ textAlign: align, ...cellWidth(width) }}
    >
      {sortable ? (
        <button type="button" className="hs-unbutton hs-sort" disabled={disabled} onClick={() => onSortChange?.(next)}>
          {children} {sortDirection === 'ascending' ? '▲' : sortDirection === 'descending' ? '▼' : '↕'}
        </button>
      ) : (
        children
      )}
    </th>
  );
}

export function TableCell({ children, align = 'left', width, colSpan, testId }: AnyProps) {
  return (
    <td {...hs('TableCell', { testId })} colSpan={colSpan} style={{ textAlign: align, ...cellWidth(width) }}>
      {children}
    </td>
  );
}

// ---------------------------------------------------------------------------
// Forms and inputs

export function Form({ children, onSubmit, preventDefault, autoComplete, testId }: AnyProps) {
  return (
    <form
      {...hs('Form', { testId })}
      className="hs-form"
      noValidate
      autoComplete={autoComplete}
      onSubmit={(e) => {
        // A real navigation would unload the preview: always prevent it.
        e.preventDefault();
        void preventDefault;
        const values: Record<string, string> = {};
        new FormData(e.currentTarget).forEach((v, k) => {
          values[k] = String(v);
        });
        onSubmit?.(new FormSubmitExtensionEvent(values, e.nativeEvent), reactions);
      }}
    >
      {children}
    </form>
  );
}

interface FieldProps {
  component: string;
  id: string;
  label?: ReactNode;
  required?: boolean;
  description?: ReactNode;
  tooltip?: string;
  error?: boolean;
  validationMessage?: string;
  testId?: string;
  children: ReactNode;
  labelFor?: boolean;
}

function Field({ component, id, label, required, description, tooltip, error, validationMessage, testId, children, labelFor = true }: FieldProps) {
  const L = labelFor ? 'label' : 'span';
  return (
    <div {...hs(component, { testId })} className={cx('hs-field', error && 'hs-field-error')} data-error={error ? 'true' : undefined}>
      {label ? (
        <div className="hs-label-row">
          <L className="hs-label" {...(labelFor ? { htmlFor: id } : { id: `${id}-label` })}>
            {label}
          </L>
          {/* Outside the label, so the field's accessible name is the label alone. */}
          {required ? <span className="hs-required" aria-hidden>*</span> : null}
          {tooltip ? (
            <span className="hs-field-tooltip" title={tooltip} aria-label={tooltip}>
              ⓘ
            </span>
          ) : null}
        </div>
      ) : null}
      {description ? (
        <p className="hs-microcopy hs-description" id={`${id}-desc`}>
          {description}
        </p>
      ) : null}
      {children}
      {validationMessage ? (
        <p className={cx('hs-validation', error ? 'hs-validation-error' : 'hs-validation-ok')} id={`${id}-msg`} data-hs-validation={error ? 'error' : 'success'}>
          {validationMessage}
        </p>
      ) : null}
    </div>
  );
}

function describedBy(id: string, description: unknown, validationMessage: unknown) {
  const ids = [description ? `${id}-desc` : null, validationMessage ? `${id}-msg` : null].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/** Text the host keeps while the user types; committed with onChange. */
function useDraft<T>(value: T | undefined, defaultValue: T | undefined, toText: (v: T | undefined) => string) {
  const controlled = value !== undefined;
  const [text, setText] = useState(() => toText(controlled ? value : defaultValue));
  const valueKey = controlled ? toText(value) : null;
  useEffect(() => {
    if (valueKey !== null) setText(valueKey);
  }, [valueKey]);
  const atFocus = useRef(text);
  return { text, setText, atFocus };
}

const asText = (v: unknown) => (v == null ? '' : String(v));

function TextField({ component, multiline, props }: { component: string; multiline?: boolean; props: AnyProps }) {
  const { label, name, value, required, readOnly, description, tooltip, placeholder, error, defaultValue, validationMessage, onChange, onInput, onBlur, onFocus, type = 'text', testId } =
    props;
  const id = useId();
  const d = useDraft<string>(value, defaultValue, asText);
  const commit = () => {
    if (d.text !== d.atFocus.current) {
      d.atFocus.current = d.text;
      onChange?.(d.text);
    }
  };
  const common = {
    id,
    name,
    value: d.text,
    required,
    readOnly,
    placeholder,
    'aria-invalid': error || undefined,
    'aria-required': required || undefined,
    'aria-describedby': describedBy(id, description, validationMessage),
    className: 'hs-input',
    onFocus: () => {
      d.atFocus.current = d.text;
      onFocus?.(d.text);
    },
    onBlur: () => {
      commit();
      onBlur?.(d.text);
    },
  };
  return (
    <Field {...{ component, id, label, required, description, tooltip, error, validationMessage, testId }}>
      {multiline ? (
        <textarea
          {...common}
          rows={props.rows ?? 3}
          cols={props.cols}
          maxLength={props.maxLength}
          style={{ resize: props.resize ?? 'vertical' }}
          onChange={(e) => {
            d.setText(e.target.value);
            onInput?.(e.target.value);
          }}
        />
      ) : (
        <input
          {...common}
          type={component === 'SearchInput' ? 'search' : type === 'password' ? 'password' : 'text'}
          onChange={(e) => {
            d.setText(e.target.value);
            onInput?.(e.target.value);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
          }}
        />
      )}
    </Field>
  );
}

export const Input = (props: AnyProps) => <TextField component="Input" props={props} />;
export const SearchInput = (props: AnyProps) => <TextField component="SearchInput" props={props} />;
export const TextArea = (props: AnyProps) => <TextField component="TextArea" multiline props={props} />;
export const Textarea = (props: AnyProps) => <TextField component="Textarea" multiline props={props} />;

function parseNumber(text: string): number | undefined {
  const t = text.trim().replace(/,/g, '');
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

function NumberField({ component, props, prefix, stepper }: { component: string; props: AnyProps; prefix?: string; stepper?: boolean }) {
  const { label, name, value, required, readOnly, description, tooltip, placeholder, error, defaultValue, validationMessage, onChange, onInput, onBlur, onFocus, min, max, precision, stepSize = 1, textAlign, testId } =
    props;
  const id = useId();
  const d = useDraft<number>(value, defaultValue, asText);
  const commit = (text = d.text) => {
    if (text !== d.atFocus.current) {
      d.atFocus.current = text;
      onChange?.(parseNumber(text) as number);
    }
  };
  const step = precision != null ? String(10 ** -precision) : 'any';
  const bump = (delta: number) => {
    let n = (parseNumber(d.text) ?? 0) + delta;
    if (min != null) n = Math.max(min, n);
    if (max != null) n = Math.min(max, n);
    const text = String(n);
    d.setText(text);
    commit(text);
  };
  return (
    <Field {...{ component, id, label, required, description, tooltip, error, validationMessage, testId }}>
      <span className="hs-number-wrap">
        {prefix ? (
          <span className="hs-affix" aria-hidden>
            {prefix}
          </span>
        ) : null}
        <input
          id={id}
          name={name}
          type="number"
          inputMode="decimal"
          step={step}
          min={min}
          max={max}
          value={d.text}
          required={required}
          readOnly={readOnly}
          placeholder={placeholder}
          aria-invalid={error || undefined}
          aria-describedby={describedBy(id, description, validationMessage)}
          className="hs-input"
          style={{ textAlign: textAlign ?? (prefix ? 'right' : undefined) }}
          onFocus={() => {
            d.atFocus.current = d.text;
            onFocus?.(parseNumber(d.text));
          }}
          onBlur={() => {
            commit();
            onBlur?.(parseNumber(d.text));
          }}
          onChange={(e) => {
            d.setText(e.target.value);
            onInput?.(parseNumber(e.target.value));
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
          }}
        />
        {stepper ? (
          <>
            <button type="button" className="hs-unbutton hs-stepper" aria-label={`Decrease ${label ?? ''}`.trim()} onClick={() => bump(-stepSize)}>
              −
            </button>
            <button type="button" className="hs-unbutton hs-stepper" aria-label={`Increase ${label ?? ''}`.trim()} onClick={() => bump(stepSize)}>
              +
            </button>
          </>
        ) : null}
      </span>
    </Field>
  );
}

export const NumberInput = (props: AnyProps) => <NumberField component="NumberInput" props={props} />;
export const StepperInput = (props: AnyProps) => <NumberField component="StepperInput" props={props} stepper />;
export const CurrencyInput = (props: AnyProps) => <NumberField component="CurrencyInput" props={props} prefix={props.currency ?? 'USD'} />;

function pad(n: number, len = 2) {
  return String(n).padStart(len, '0');
}

function dateToText(v: AnyProps | null | undefined) {
  if (!v || v.year == null) return '';
  return `${pad(v.year, 4)}-${pad(v.month + 1)}-${pad(v.date)}`;
}

function textToDate(text: string) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  return { year: Number(m[1]), month: Number(m[2]) - 1, date: Number(m[3]), formattedDate: text };
}

export function DateInput(props: AnyProps) {
  const { label, name, value, required, readOnly, description, tooltip, error, defaultValue, validationMessage, onChange, onBlur, onFocus, min, max, testId } = props;
  const id = useId();
  const d = useDraft<AnyProps | null>(value, defaultValue, dateToText);
  return (
    <Field component="DateInput" {...{ id, label, required, description, tooltip, error, validationMessage, testId }}>
      <input
        id={id}
        name={name}
        type="date"
        value={d.text}
        min={dateToText(min) || undefined}
        max={dateToText(max) || undefined}
        required={required}
        readOnly={readOnly}
        aria-invalid={error || undefined}
        aria-describedby={describedBy(id, description, validationMessage)}
        className="hs-input"
        onFocus={() => onFocus?.(textToDate(d.text))}
        onBlur={() => onBlur?.(textToDate(d.text))}
        onChange={(e) => {
          const text = e.target.value;
          d.setText(text);
          if (text === '' || textToDate(text)) onChange?.(textToDate(text));
        }}
      />
    </Field>
  );
}

export function TimeInput(props: AnyProps) {
  const { label, name, value, required, readOnly, description, tooltip, error, defaultValue, validationMessage, onChange, onBlur, onFocus, interval, testId } = props;
  const id = useId();
  const toText = (v: AnyProps | null | undefined) => (v && v.hours != null ? `${pad(v.hours)}:${pad(v.minutes)}` : '');
  const fromText = (t: string) => {
    const m = /^(\d{2}):(\d{2})/.exec(t);
    return m ? { hours: Number(m[1]), minutes: Number(m[2]) } : null;
  };
  const d = useDraft<AnyProps | null>(value, defaultValue, toText);
  return (
    <Field component="TimeInput" {...{ id, label, required, description, tooltip, error, validationMessage, testId }}>
      <input
        id={id}
        name={name}
        type="time"
        step={interval ? interval * 60 : undefined}
        value={d.text}
        readOnly={readOnly}
        aria-invalid={error || undefined}
        className="hs-input"
        onFocus={() => onFocus?.(fromText(d.text))}
        onBlur={() => onBlur?.(fromText(d.text))}
        onChange={(e) => {
          d.setText(e.target.value);
          onChange?.(fromText(e.target.value));
        }}
      />
    </Field>
  );
}

type Option = { label: string; value: string | number | boolean };

export function Select(props: AnyProps) {
  const { label, name, value, required, readOnly, description, tooltip, placeholder, error, validationMessage, onChange, onInput, options = [], variant = 'input', testId } = props;
  const id = useId();
  const opts = options as Option[];
  const index = opts.findIndex((o) => o.value === value);
  const [search, setSearch] = useState('');
  return (
    <Field component="Select" {...{ id, label, required, description, tooltip, error, validationMessage, testId }}>
      {onInput ? (
        <input
          type="search"
          className="hs-input hs-select-search"
          aria-label={`Search ${label ?? name ?? 'options'}`}
          placeholder="Search…"
          value={search}
          readOnly={readOnly}
          onChange={(e) => {
            setSearch(e.target.value);
            onInput(e.target.value);
          }}
        />
      ) : null}
      <select
        id={id}
        name={name}
        className={cx('hs-input', 'hs-select', variant === 'transparent' && 'hs-transparent')}
        value={index >= 0 ? String(index) : ''}
        required={required}
        disabled={readOnly}
        aria-invalid={error || undefined}
        aria-required={required || undefined}
        aria-describedby={describedBy(id, description, validationMessage)}
        onChange={(e) => {
          const i = Number(e.target.value);
          if (e.target.value !== '' && opts[i]) onChange?.(opts[i].value);
        }}
      >
        <option value="" disabled={index >= 0}>
          {placeholder ?? 'Select an option'}
        </option>
        {opts.map((o, i) => (
          // value: the option's index (values may be numbers or booleans); data-value: the card's value.
          <option key={`${i}-${String(o.value)}`} value={String(i)} data-value={String(o.value)}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function MultiSelect(props: AnyProps) {
  const { label, name, value, required, readOnly, description, tooltip, error, validationMessage, onChange, options = [], testId } = props;
  const id = useId();
  const opts = options as Option[];
  const selected = (value ?? []) as Option['value'][];
  return (
    <Field component="MultiSelect" {...{ id, label, required, description, tooltip, error, validationMessage, testId }}>
      <select
        id={id}
        name={name}
        multiple
        className="hs-input hs-select"
        disabled={readOnly}
        aria-invalid={error || undefined}
        value={opts.map((o, i) => (selected.includes(o.value) ? String(i) : null)).filter((x): x is string => x !== null)}
        onChange={(e) => onChange?.(Array.from(e.target.selectedOptions).map((o) => opts[Number(o.value)].value))}
      >
        {opts.map((o, i) => (
          <option key={`${i}-${String(o.value)}`} value={String(i)}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

function ToggleInput({ component, type, props }: { component: string; type: 'checkbox' | 'radio'; props: AnyProps }) {
  const { value = 'on', checked, readonly, readOnly, description, name, variant, size, onChange, children, inline, initialIsChecked, testId } = props;
  const id = useId();
  const controlled = checked !== undefined;
  return (
    <div {...hs(component, { testId })} className={cx('hs-toggle-input', inline && 'hs-inline', (variant === 'small' || size === 'sm' || size === 'small') && 'hs-small')}>
      <input
        id={id}
        type={type}
        name={name}
        value={value}
        {...(controlled ? { checked } : { defaultChecked: initialIsChecked })}
        disabled={readonly || readOnly}
        aria-label={props['aria-label']}
        aria-describedby={description ? `${id}-desc` : undefined}
        onChange={(e) => onChange?.(e.target.checked, value)}
      />
      {children != null ? <label htmlFor={id}>{children}</label> : null}
      {description ? (
        <p className="hs-microcopy hs-description" id={`${id}-desc`}>
          {description}
        </p>
      ) : null}
    </div>
  );
}

export const Checkbox = (props: AnyProps) => <ToggleInput component="Checkbox" type="checkbox" props={props} />;
export const RadioButton = (props: AnyProps) => <ToggleInput component="RadioButton" type="radio" props={props} />;

export function ToggleGroup(props: AnyProps) {
  const { toggleType = 'checkboxList', name, label, validationMessage, required, tooltip, error, options = [], inline, value, onChange, testId } = props;
  const id = useId();
  const radio = toggleType === 'radioButtonList';
  const initial = radio
    ? (options.find((o: AnyProps) => o.initialIsChecked)?.value ?? '')
    : options.filter((o: AnyProps) => o.initialIsChecked).map((o: AnyProps) => o.value);
  const [internal, setInternal] = useState<string | string[]>(initial);
  const current = value ?? internal;
  const isChecked = (v: string) => (radio ? current === v : Array.isArray(current) && current.includes(v));
  return (
    <fieldset {...hs('ToggleGroup', { testId })} className={cx('hs-field', 'hs-toggle-group', error && 'hs-field-error')} aria-invalid={error || undefined}>
      <legend className="hs-label">{label}</legend>
      {required || tooltip ? (
        <span className="hs-label-row hs-legend-extras">
          {required ? <span className="hs-required" aria-hidden>*</span> : null}
          {tooltip ? <span title={tooltip}>ⓘ</span> : null}
        </span>
      ) : null}
      <div className={cx('hs-toggle-options', inline && 'hs-inline')}>
        {options.map((o: AnyProps) => {
          const oid = `${id}-${o.value}`;
          return (
            <div className="hs-toggle-input" key={o.value}>
              <input
                id={oid}
                type={radio ? 'radio' : 'checkbox'}
                name={name}
                value={o.value}
                checked={isChecked(o.value)}
                disabled={o.readonly || o.readOnly}
                onChange={(e) => {
                  let next: string | string[];
                  if (radio) next = o.value;
                  else {
                    const list = Array.isArray(current) ? current : [];
                    next = e.target.checked ? [...list, o.value] : list.filter((v) => v !== o.value);
                  }
                  setInternal(next);
                  onChange?.(next);
                }}
              />
              <label htmlFor={oid}>{o.label}</label>
              {o.description ? <p className="hs-microcopy hs-description">{o.description}</p> : null}
            </div>
          );
        })}
      </div>
      {validationMessage ? (
        <p className={cx('hs-validation', error ? 'hs-validation-error' : 'hs-validation-ok')} data-hs-validation={error ? 'error' : 'success'}>
          {validationMessage}
        </p>
      ) : null}
    </fieldset>
  );
}

export function Toggle(props: AnyProps) {
  const { checked, readonly, readOnly, name, onChange, initialIsChecked, label, labelDisplay = 'inline', textChecked = 'On', textUnchecked = 'Off', testId } = props;
  const id = useId();
  const [internal, setInternal] = useState(!!initialIsChecked);
  const on = checked ?? internal;
  return (
    <div {...hs('Toggle', { testId })} className={cx('hs-toggle', labelDisplay === 'top' && 'hs-label-top')}>
      <input
        id={id}
        type="checkbox"
        role="switch"
        name={name}
        checked={on}
        disabled={readonly || readOnly}
        aria-label={labelDisplay === 'hidden' ? label : undefined}
        onChange={(e) => {
          setInternal(e.target.checked);
          onChange?.(e.target.checked);
        }}
      />
      {labelDisplay !== 'hidden' ? <label htmlFor={id}>{label}</label> : null}
      <span className="hs-microcopy">{on ? textChecked : textUnchecked}</span>
    </div>
  );
}

export function StepIndicator({ stepNames = [], direction = 'horizontal', currentStep = 0, variant = 'default', onClick, testId }: AnyProps) {
  return (
    <ol {...hs('StepIndicator', { testId })} aria-label="Steps" className={cx('hs-steps', `hs-steps-${direction}`, `hs-steps-${variant}`)}>
      {(stepNames as string[]).map((step, i) => {
        const state = i < currentStep ? 'done' : i === currentStep ? 'current' : 'todo';
        const body = (
          <>
            <span className="hs-step-circle" aria-hidden>
              {state === 'done' ? '✓' : i + 1}
            </span>
            <span className="hs-step-name">{step}</span>
          </>
        );
        return (
          <li key={`${i}-${step}`} className={`hs-step hs-step-${state}`} aria-current={state === 'current' ? 'step' : undefined} data-step-state={state}>
            {onClick ? (
              <button type="button" className="hs-unbutton" onClick={() => onClick(i)}>
                {body}
              </button>
            ) : (
              body
            )}
          </li>
        );
      })}
    </ol>
  );
}

// ---------------------------------------------------------------------------
// CRM components ('@hubspot/ui-extensions/crm'): HubSpot draws these from
// CRM data the preview does not have, so they show what they would render.

function CrmPlaceholder({ name, props }: { name: string; props: AnyProps }) {
  return (
    <div {...hs(name, { testId: props.testId })} className="hs-crm-placeholder">
      {name}
      <span className="hs-microcopy"> — drawn by HubSpot from CRM data; not available in the local preview</span>
    </div>
  );
}

const crmPlaceholder = (name: string) => (props: AnyProps) => <CrmPlaceholder name={name} props={props} />;
export const CrmPropertyList = crmPlaceholder('CrmPropertyList');
export const CrmAssociationTable = crmPlaceholder('CrmAssociationTable');
export const CrmDataHighlight = crmPlaceholder('CrmDataHighlight');
export const CrmReport = crmPlaceholder('CrmReport');
export const CrmAssociationPivot = crmPlaceholder('CrmAssociationPivot');
export const CrmAssociationPropertyList = crmPlaceholder('CrmAssociationPropertyList');
export const CrmAssociationStageTracker = crmPlaceholder('CrmAssociationStageTracker');
export const CrmSimpleDeadline = crmPlaceholder('CrmSimpleDeadline');
export const CrmStageTracker = crmPlaceholder('CrmStageTracker');
export const CrmStatistics = crmPlaceholder('CrmStatistics');
export const CrmCardActions = crmPlaceholder('CrmCardActions');

export function CrmActionButton({ children, actionType, actionContext, variant, testId }: AnyProps) {
  return (
    <button
      {...hs('CrmActionButton', { testId })}
      type="button"
      className={buttonClass(variant, undefined)}
      onClick={() => hostLog('action', `CrmActionButton ${actionType} ${JSON.stringify(actionContext ?? {})}`)}
    >
      {children}
    </button>
  );
}

export function CrmActionLink({ children, actionType, actionContext, testId }: AnyProps) {
  return (
    <a
      {...hs('CrmActionLink', { testId })}
      href="#"
      className="hs-link"
      onClick={(e) => {
        e.preventDefault();
        hostLog('action', `CrmActionLink ${actionType} ${JSON.stringify(actionContext ?? {})}`);
      }}
    >
      {children}
    </a>
  );
}

// ---------------------------------------------------------------------------
// Hooks

const api = { context, actions, runServerlessFunction: (params: unknown) => serverless('', params as AnyProps) };

export function useExtensionContext() {
  return context;
}
export function useExtensionActions() {
  return actions;
}
export function useExtensionApi() {
  return api;
}

export function useDebounce<T>(value: T, delayMs = 300): T {
  const key = JSON.stringify(value);
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, delayMs]);
  return debounced;
}

export function useCrmProperties(propertyNames: string[]) {
  const [properties, setProperties] = useState<Record<string, string | null>>({});
  const key = JSON.stringify(propertyNames);
  useEffect(() => {
    void actions.fetchCrmObjectProperties(propertyNames).then(setProperties);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return { properties, error: null, isLoading: false, isRefetching: false, refetch: async () => {} };
}

const EMPTY_PAGINATION = { hasNextPage: false, hasPreviousPage: false, currentPage: 1, pageSize: 0, nextPage() {}, previousPage() {}, reset() {} };

export function useAssociations() {
  return { results: [], error: null, isLoading: false, isRefetching: false, pagination: EMPTY_PAGINATION, refetch: async () => {} };
}

export function useCrmSearch() {
  return { results: [], total: 0, error: null, isLoading: false, isRefetching: false, pagination: EMPTY_PAGINATION, refetch: async () => {} };
}

export async function formatCrmProperties({ properties }: { properties: Record<string, unknown> }) {
  return properties;
}

export const logger = {
  debug: (...args: unknown[]) => hostLog('logger', `debug ${args.map(String).join(' ')}`),
  info: (...args: unknown[]) => hostLog('logger', `info ${args.map(String).join(' ')}`),
  warn: (...args: unknown[]) => hostLog('logger', `warn ${args.map(String).join(' ')}`),
  error: (...args: unknown[]) => hostLog('logger', `error ${args.map(String).join(' ')}`),
};

// ---------------------------------------------------------------------------
// The host page around the card: alerts from addAlert, the card, its log.

function HostAlerts() {
  const alerts = useStore(alertStore);
  if (!alerts.length) return null;
  return (
    <div className="hs-host-alerts" aria-label="HubSpot alerts">
      {alerts.map((a) => (
        <div key={a.id} {...hs('HostAlert')} data-variant={a.type} role={a.type === 'danger' ? 'alert' : 'status'} className={cx('hs-alert', `hs-alert-${a.type}`)}>
          {a.title ? <strong className="hs-alert-title">{a.title}</strong> : null}
          <div className="hs-alert-body">{a.message}</div>
          <button type="button" className="hs-close" aria-label="Dismiss alert" onClick={() => dismissAlert(a.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

function HostLog() {
  const entries = useStore(logStore);
  return (
    <details className="hs-host-log" data-preview="log">
      <summary>Host log ({entries.length}): actions the card asked of HubSpot, and its hubspot.fetch calls</summary>
      <ol>
        {entries.map((e) => (
          <li key={e.seq} data-kind={e.kind}>
            <code>
              {e.time} {e.kind}: {e.text}
            </code>
          </li>
        ))}
      </ol>
    </details>
  );
}

class CardErrorBoundary extends React.Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  componentDidCatch(error: Error) {
    hostLog('logger', `the card threw: ${error.stack ?? error.message}`);
  }
  render() {
    if (this.state.error) {
      return (
        <div role="alert" className="hs-alert hs-alert-danger" data-preview="card-crashed">
          <strong className="hs-alert-title">The card crashed</strong>
          <pre className="hs-crash">{this.state.error.stack ?? String(this.state.error)}</pre>
        </div>
      );
    }
    return this.props.children;
  }
}

function HostPage({ children }: { children: ReactNode }) {
  const title = `${preview.objectType.replace(/s$/, '')} ${preview.objectId}`;
  return (
    <div className={cx('hs-host', preview.location === 'crm.record.sidebar' ? 'hs-host-sidebar' : 'hs-host-tab')}>
      <header className="hs-host-header">
        <strong>Integrated invoices</strong> <span className="hs-microcopy">local preview · {title} · portal {context.portal.id} · {preview.location}</span>
        {!preview.backend ? (
          <span className="hs-host-warning"> No ?backend= given: the card's calls go to https://invoices.example.com and will fail.</span>
        ) : null}
      </header>
      <HostAlerts />
      <main className="hs-card" data-preview="card" aria-label="Integrated invoices card">
        <div className="hs-card-title">Integrated invoices</div>
        <CardErrorBoundary>{children}</CardErrorBoundary>
      </main>
      <HostLog />
    </div>
  );
}

// ---------------------------------------------------------------------------
// hubspot

let root: Root | null = null;

function extend(render: (api: AnyProps) => ReactNode) {
  const el = document.getElementById('root');
  if (!el) throw new Error('hubspot.extend: the preview page has no #root');
  root ??= createRoot(el);
  // No StrictMode: HubSpot does not double-invoke the card's effects.
  root.render(<HostPage>{render(api)}</HostPage>);
}

export async function serverless(name: string, _options?: AnyProps): Promise<never> {
  hostLog('action', `serverless(${JSON.stringify(name)})`);
  throw new Error('hubspot.serverless is not available in the local preview; the card calls its backend with hubspot.fetch');
}

export const fetch = hubspotFetch;

export const hubspot = { extend, fetch: hubspotFetch, serverless };

// Handy in the browser console and for tests.
(globalThis as AnyProps).__hsPreview = { context, actions, preview, logStore, overlayStore, alertStore };
