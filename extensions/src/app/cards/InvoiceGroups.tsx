// The linked invoices, one table per QuickBooks company, with row actions.
import { useRef, useState } from 'react';
import {
  Alert,
  Button,
  Flex,
  Heading,
  Link,
  StatusTag,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';
import { api, asApiError } from './api';
import { ConnectQuickBooks } from './ConnectQuickBooks';
import type { Banner } from './InvoicesCard';
import { formatDate, formatMoney, newIdempotencyKey, statusVariant } from './format';
import type { Connection, Invoice, InvoiceGroup, ObjectType } from './types';

interface Props {
  groups: InvoiceGroup[];
  objectType: ObjectType;
  objectId: string;
  onChanged: () => void;
  onBanner: (b: Banner) => void;
  /**
   * Loads the card again after QuickBooks was connected in another tab. With
   * it, a company that is disconnected or needs reconnecting offers to
   * (re)connect it.
   */
  onReconnected?: () => Promise<boolean>;
}

export function InvoiceGroups({ groups, objectType, objectId, onChanged, onBanner, onReconnected }: Props) {
  // Send keys survive a failed send, so "Send" again after a timeout replays
  // QuickBooks' first answer instead of emailing twice.
  const sendKeys = useRef(new Map<string, string>());
  const several = groups.length > 1;
  return (
    <Flex direction="column" gap="md">
      {groups
        .filter((g) => g.invoices.length > 0 || g.notice)
        .map((g) => (
          <Flex direction="column" gap="xs" key={g.connection.id}>
            {several && <Heading>{g.connection.companyName}</Heading>}
            {(g.notice || unusable(g.connection)) && (
              <Alert title={noticeTitle(g.connection)} variant="warning">
                {onReconnected && unusable(g.connection) ? (
                  <Flex direction="column" gap="xs">
                    <Text>{g.notice ?? unusableNotice(g.connection)}</Text>
                    <ConnectQuickBooks
                      kind={g.connection.state === 'needs_reconnect' ? 'reconnect' : 'connect'}
                      onRefresh={onReconnected}
                      size="xs"
                    />
                  </Flex>
                ) : (
                  g.notice ?? unusableNotice(g.connection)
                )}
              </Alert>
            )}
            {g.invoices.length > 0 && (
              <Table bordered flush density="condensed">
                <TableHead>
                  <TableRow>
                    <TableHeader>Invoice</TableHeader>
                    <TableHeader>Customer</TableHeader>
                    <TableHeader align="right">Amount</TableHeader>
                    <TableHeader>Status</TableHeader>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {g.invoices.map((inv) => (
                    <InvoiceRow
                      key={inv.linkId}
                      invoice={inv}
                      connection={g.connection}
                      objectType={objectType}
                      objectId={objectId}
                      sendKeys={sendKeys.current}
                      onChanged={onChanged}
                      onBanner={onBanner}
                    />
                  ))}
                </TableBody>
              </Table>
            )}
          </Flex>
        ))}
    </Flex>
  );
}

function unusable(c: Connection): boolean {
  return c.state === 'needs_reconnect' || c.state === 'disconnected';
}

/** When the backend sent no notice (what it last read is recent): its own words for the state. */
function unusableNotice(c: Connection): string {
  return c.state === 'disconnected'
    ? 'QuickBooks disconnected: showing the last known state.'
    : 'Reconnect QuickBooks to refresh these invoices.';
}

function noticeTitle(c: Connection): string {
  if (c.state === 'disconnected') return 'QuickBooks disconnected';
  if (c.state === 'needs_reconnect') return 'Reconnect QuickBooks';
  return 'Showing the last known state';
}

const SENDABLE = new Set(['awaiting_send', 'sent', 'partially_paid', 'overdue']);

export function invoiceLabel(inv: { number?: string; invoiceId: string }): string {
  return inv.number || `#${inv.invoiceId}`;
}

function InvoiceRow(props: {
  invoice: Invoice;
  connection: Connection;
  objectType: ObjectType;
  objectId: string;
  sendKeys: Map<string, string>;
  onChanged: () => void;
  onBanner: (b: Banner) => void;
}) {
  const { invoice: inv, connection, objectType, objectId, sendKeys, onChanged, onBanner } = props;
  const [busy, setBusy] = useState<'send' | 'remove' | null>(null);
  const [confirming, setConfirming] = useState(false);
  const label = invoiceLabel(inv);
  const canSend = inv.known && !!inv.status && SENDABLE.has(inv.status) && connection.state === 'connected';

  const send = async () => {
    const id = `${connection.id}/${inv.invoiceId}`;
    const key = sendKeys.get(id) ?? newIdempotencyKey();
    sendKeys.set(id, key);
    setBusy('send');
    try {
      const res = await api.sendInvoice(connection.id, inv.invoiceId, { idempotencyKey: key });
      sendKeys.delete(id);
      const to = res.invoice.billEmail ?? inv.billEmail;
      onBanner({ variant: 'success', title: `Sent invoice ${label}`, message: to ? `QuickBooks emailed it to ${to}.` : undefined });
      onChanged();
    } catch (e) {
      const err = asApiError(e);
      if (!err.transient) sendKeys.delete(id);
      onBanner({ variant: 'danger', title: `Could not send invoice ${label}`, message: err.message });
    } finally {
      setBusy(null);
    }
  };

  const remove = async () => {
    setBusy('remove');
    try {
      await api.removeInvoiceLink(objectType, objectId, inv.linkId);
      setConfirming(false);
      onBanner({ variant: 'success', title: `Removed invoice ${label} from this record`, message: 'The invoice is still in QuickBooks.' });
      onChanged();
    } catch (e) {
      setConfirming(false);
      onBanner({ variant: 'danger', title: `Could not remove invoice ${label}`, message: asApiError(e).message });
    } finally {
      setBusy(null);
    }
  };

  // Two rows per invoice so the table fits the sidebar: the invoice, then its actions.
  return (
    <>
      <TableRow>
        <TableCell>
          {inv.webUrl ? <Link href={{ url: inv.webUrl, external: true }}>{label}</Link> : <Text>{label}</Text>}
        </TableCell>
        <TableCell>
          <Text>{inv.customerName ?? '—'}</Text>
          <Text variant="microcopy">Due {formatDate(inv.dueDate)}</Text>
        </TableCell>
        <TableCell align="right">
          <Text>{formatMoney(inv.total, inv.currency)}</Text>
          <Text variant="microcopy">Balance {formatMoney(inv.balance, inv.currency)}</Text>
        </TableCell>
        <TableCell>
          <StatusTag variant={statusVariant(inv.status)}>{inv.known ? inv.statusLabel ?? inv.status ?? '' : 'Not read yet'}</StatusTag>
        </TableCell>
      </TableRow>
      <TableRow>
        <TableCell colSpan={4}>
          {confirming ? (
            <Flex direction="row" gap="xs" align="center" wrap>
              <Text variant="microcopy">Remove {label} from this record? It stays in QuickBooks.</Text>
              <Button size="xs" variant="destructive" disabled={busy !== null} onClick={() => void remove()}>
                Yes, remove
              </Button>
              <Button size="xs" variant="secondary" disabled={busy !== null} onClick={() => setConfirming(false)}>
                Cancel
              </Button>
            </Flex>
          ) : (
            <Flex direction="row" gap="xs" align="center" wrap>
              {inv.webUrl && <Link href={{ url: inv.webUrl, external: true }}>Open in QuickBooks</Link>}
              {canSend && (
                <Button size="xs" variant="secondary" disabled={busy !== null} onClick={() => void send()}>
                  Send
                </Button>
              )}
              <Button size="xs" variant="transparent" disabled={busy !== null} onClick={() => setConfirming(true)}>
                Remove from record
              </Button>
            </Flex>
          )}
        </TableCell>
      </TableRow>
    </>
  );
}
