// The Integrated invoices card: the record's QuickBooks invoices grouped by
// company, what the rep can do next, and the row actions.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import {
  Alert,
  Button,
  EmptyState,
  ErrorState,
  Flex,
  LoadingSpinner,
  Panel,
  Text,
} from '@hubspot/ui-extensions';
import { ApiError, api, asApiError } from './api';
import { AddExistingPanel, ADD_PANEL_ID } from './AddExistingPanel';
import { ConnectQuickBooks, connectKindOf } from './ConnectQuickBooks';
import type { ConnectKind } from './ConnectQuickBooks';
import { CreateInvoiceFlow, CREATE_PANEL_ID } from './CreateInvoiceFlow';
import { InvoiceGroups } from './InvoiceGroups';
import { objectTypeOf } from './format';
import { useMounted, useOverlaySession } from './hooks';
import { usableConnections } from './createModel';
import type { Action, Connection, Created, ObjectType, RecordInvoices } from './types';

/** The part of HubSpot's card context the card reads. */
export interface CardContext {
  crm: { objectId: number | string; objectTypeId: string };
  portal?: { id: number };
  user?: unknown;
}

/** The part of HubSpot's card actions the card calls. */
export interface CardActions {
  refreshObjectProperties?: () => void;
  closeOverlay?: (id: string) => void;
  addAlert?: (args: { type?: 'info' | 'warning' | 'success' | 'danger' | 'tip'; message: string; title?: string }) => void;
}

export interface Banner {
  variant: 'success' | 'danger' | 'warning' | 'info';
  title: string;
  message?: string;
}

type Load =
  | { status: 'loading' }
  | { status: 'error'; error: ApiError }
  | { status: 'ready'; data: RecordInvoices };

export function InvoicesCard({ context, actions }: { context: CardContext; actions: CardActions }) {
  const objectType = objectTypeOf(context.crm.objectTypeId);
  const objectId = String(context.crm.objectId);
  if (!objectType) {
    return (
      <ErrorState title="This record type is not supported">
        <Text>The Integrated invoices card works on deals, contacts and companies.</Text>
      </ErrorState>
    );
  }
  return <RecordCard objectType={objectType} objectId={objectId} actions={actions} />;
}

function RecordCard({ objectType, objectId, actions }: { objectType: ObjectType; objectId: string; actions: CardActions }) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [banner, setBanner] = useState<Banner | null>(null);
  const mounted = useMounted();
  const seq = useRef(0);
  const shownReady = useRef(false);
  shownReady.current = load.status === 'ready';

  /** Loads the card; resolves true when this load is the one shown. */
  const fetchCard = useCallback(
    async (quiet: boolean): Promise<boolean> => {
      const n = ++seq.current;
      if (!quiet) setLoad({ status: 'loading' });
      try {
        const data = await api.recordInvoices(objectType, objectId);
        if (!mounted.current || n !== seq.current) return false;
        setLoad({ status: 'ready', data });
        return true;
      } catch (e) {
        if (!mounted.current || n !== seq.current) return false;
        // A quiet refresh that fails keeps what is shown and says so.
        if (quiet && shownReady.current) {
          setBanner({ variant: 'warning', title: 'Could not refresh the invoices', message: asApiError(e).message });
        } else {
          setLoad({ status: 'error', error: asApiError(e) });
        }
        return false;
      }
    },
    [objectType, objectId, mounted],
  );

  useEffect(() => {
    void fetchCard(false);
  }, [fetchCard]);

  /** After connecting QuickBooks in another tab: the card again, keeping what is shown meanwhile. */
  const reload = useCallback(() => fetchCard(true), [fetchCard]);

  /** After a change: the list again, and the deal's QuickBooks properties. */
  const changed = useCallback(() => {
    void fetchCard(true);
    actions.refreshObjectProperties?.();
  }, [fetchCard, actions]);

  const onCreated = useCallback(
    (res: Created) => {
      setBanner({ variant: 'success', title: `Created invoice ${res.invoice.number ?? res.invoice.invoiceId}` });
      changed();
    },
    [changed],
  );

  if (load.status === 'loading') {
    return <LoadingSpinner label="Loading invoices" showLabel layout="centered" />;
  }
  if (load.status === 'error') {
    const notConnected = load.error.code === 'not_connected';
    return (
      <ErrorState title={notConnected ? 'Reconnect QuickBooks' : 'Could not load the invoices'} type={notConnected ? 'support' : 'error'}>
        <Text>{load.error.message}</Text>
        {notConnected && <ConnectQuickBooks kind="reconnect" retryLabel="Try again" />}
        <Button onClick={() => void fetchCard(false)}>Try again</Button>
      </ErrorState>
    );
  }

  const data = load.data;
  const create = findAction(data.actions, 'create_invoice');
  const add = findAction(data.actions, 'add_invoice');
  const hasInvoices = data.groups.some((g) => g.invoices.length > 0);
  const guidance = connectGuidance(data.connections);

  const buttons = (
    <ActionButtons
      objectType={objectType}
      objectId={objectId}
      data={data}
      create={create}
      add={add}
      actions={actions}
      onCreated={onCreated}
      onAdded={changed}
    />
  );

  return (
    <Flex direction="column" gap="sm">
      {banner && (
        <Alert title={banner.title} variant={banner.variant}>
          {banner.message}
        </Alert>
      )}
      {guidance && (
        <Alert title={guidance.title} variant="warning">
          <Flex direction="column" gap="xs">
            <Text>{guidance.message}</Text>
            <ConnectQuickBooks kind={guidance.kind} onRefresh={reload} />
          </Flex>
        </Alert>
      )}
      {!hasInvoices && (
        <EmptyState title="No invoices yet" imageName="productsShoppingCart" layout="vertical" flush>
          <Text>Create a QuickBooks invoice for this record, or add one that already exists.</Text>
        </EmptyState>
      )}
      {/* Always at the same place in the tree: an open panel survives the list changing from empty to not. */}
      {buttons}
      {hasInvoices && (
        <InvoiceGroups
          groups={data.groups}
          objectType={objectType}
          objectId={objectId}
          onChanged={changed}
          onBanner={setBanner}
          // The card-wide guidance already offers to connect: not once more per company.
          onReconnected={guidance ? undefined : reload}
        />
      )}
    </Flex>
  );
}

function findAction(list: Action[], name: Action['name']): Action {
  return list.find((a) => a.name === name) ?? { name, allowed: false, reason: 'Not available for this record.' };
}

/** "Connect QuickBooks" / "Reconnect QuickBooks" guidance when the portal has no usable company. */
export function connectGuidance(connections: Connection[]): { title: string; message: string; kind: ConnectKind } | null {
  if (usableConnections(connections).length > 0) return null;
  if (connections.length === 0) {
    return {
      kind: 'connect',
      title: 'Connect QuickBooks',
      message: 'No QuickBooks Online company is connected to this HubSpot account yet. Connect one to create and add invoices here.',
    };
  }
  if (connectKindOf(connections) === 'reconnect') {
    return {
      kind: 'reconnect',
      title: 'Reconnect QuickBooks',
      message: 'The QuickBooks Online connection has to be renewed. Reconnect it to create and add invoices here.',
    };
  }
  return {
    kind: 'connect',
    title: 'Connect QuickBooks',
    message: 'The QuickBooks Online company was disconnected from this HubSpot account. Connect it again to create and add invoices here.',
  };
}

function ActionButtons(props: {
  objectType: ObjectType;
  objectId: string;
  data: RecordInvoices;
  create: Action;
  add: Action;
  actions: CardActions;
  onCreated: (res: Created) => void;
  onAdded: () => void;
}) {
  const { objectType, objectId, data, create, add, actions } = props;
  const createSession = useOverlaySession();
  const addSession = useOverlaySession();
  const connections = usableConnections(data.connections);
  const close = (id: string) => actions.closeOverlay?.(id);

  return (
    <Flex direction="column" gap="xs">
      <Flex direction="row" gap="xs" wrap>
        <PanelButton
          label="Create invoice"
          variant="primary"
          allowed={create.allowed}
          panelId={CREATE_PANEL_ID}
          title="Create a QuickBooks invoice"
          session={createSession}
        >
          <CreateInvoiceFlow
            key={createSession.session}
            objectType={objectType}
            objectId={objectId}
            connections={connections}
            onCreated={props.onCreated}
            onClose={() => close(CREATE_PANEL_ID)}
          />
        </PanelButton>
        <PanelButton
          label="Add existing invoice"
          variant="secondary"
          allowed={add.allowed}
          panelId={ADD_PANEL_ID}
          title="Add an existing QuickBooks invoice"
          session={addSession}
        >
          <AddExistingPanel
            key={addSession.session}
            objectType={objectType}
            objectId={objectId}
            connections={connections}
            onAdded={props.onAdded}
            onClose={() => close(ADD_PANEL_ID)}
          />
        </PanelButton>
      </Flex>
      {create.reason && <Text variant="microcopy">{create.reason}</Text>}
      {!add.allowed && add.reason && add.reason !== create.reason && <Text variant="microcopy">{add.reason}</Text>}
    </Flex>
  );
}

/**
 * A button that opens a modal panel when its action is allowed. The panel's
 * content is mounted afresh on every opening (a new session: a new
 * idempotency key) and only once it has been opened.
 */
function PanelButton(props: {
  label: string;
  variant: 'primary' | 'secondary';
  allowed: boolean;
  panelId: string;
  title: string;
  session: { session: number; open: () => void; close: () => void };
  children: ReactNode;
}) {
  const { label, variant, allowed, panelId, title, session } = props;
  return (
    <Button
      variant={variant}
      disabled={!allowed}
      onClick={allowed ? session.open : undefined}
      overlay={
        allowed ? (
          <Panel id={panelId} title={title} width="md" variant="modal" onOpen={session.open} onClose={session.close}>
            {session.session > 0 ? props.children : <LoadingSpinner label="Opening" />}
          </Panel>
        ) : undefined
      }
    >
      {label}
    </Button>
  );
}
