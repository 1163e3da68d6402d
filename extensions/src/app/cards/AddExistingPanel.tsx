// "Add existing invoice": search a QuickBooks company's invoices, tick the
// ones to add, "Add". Invoices already linked to the record are marked and
// cannot be ticked.
import { useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  Flex,
  Input,
  LoadingSpinner,
  PanelBody,
  PanelFooter,
  Select,
  StatusTag,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';
import { ApiError, api, asApiError } from './api';
import { ConnectQuickBooks } from './ConnectQuickBooks';
import { formatDate, formatMoney, statusVariant } from './format';
import { useDebounced, useMounted } from './hooks';
import { invoiceLabel } from './InvoiceGroups';
import type { Connection, InvoiceSearch, ObjectType } from './types';

export const ADD_PANEL_ID = 'add-existing-invoice-panel';

interface Props {
  objectType: ObjectType;
  objectId: string;
  connections: Connection[];
  onAdded: () => void;
  onClose: () => void;
}

type Results = { status: 'loading' } | { status: 'error'; error: ApiError } | { status: 'ready'; value: InvoiceSearch };

export function AddExistingPanel({ objectType, objectId, connections, onAdded, onClose }: Props) {
  const mounted = useMounted();
  const [connectionId, setConnectionId] = useState(connections[0]?.id ?? '');
  const [q, setQ] = useState('');
  const dq = useDebounced(q.trim(), 300);
  const [page, setPage] = useState(1);
  const [results, setResults] = useState<Results>({ status: 'loading' });
  const [reload, setReload] = useState(0);
  const [selected, setSelected] = useState<string[]>([]);
  const [adding, setAdding] = useState(false);
  const [outcome, setOutcome] = useState<{ variant: 'success' | 'danger'; title: string; message?: string } | null>(null);

  useEffect(() => {
    if (!connectionId) return;
    let live = true;
    setResults({ status: 'loading' });
    api
      .searchInvoices(connectionId, { q: dq, objectType, objectId, page })
      .then((r) => live && setResults({ status: 'ready', value: r }))
      .catch((e) => live && setResults({ status: 'error', error: asApiError(e) }));
    return () => {
      live = false;
    };
  }, [connectionId, dq, page, objectType, objectId, reload]);

  // A new query starts at page one.
  const search = (v: string) => {
    setQ(v);
    if (v.trim() !== q.trim()) setPage(1);
  };

  const toggle = (invoiceId: string, on: boolean) =>
    setSelected((s) => (on ? (s.includes(invoiceId) ? s : [...s, invoiceId]) : s.filter((x) => x !== invoiceId)));

  const add = async () => {
    if (selected.length === 0 || adding) return;
    setAdding(true);
    setOutcome(null);
    try {
      const res = await api.addInvoiceLinks(objectType, objectId, { connectionId, invoiceIds: selected });
      if (!mounted.current) return;
      const added = res.invoices.filter((x) => x.added).map((x) => invoiceLabel(x.invoice));
      const already = res.invoices.filter((x) => !x.added).map((x) => invoiceLabel(x.invoice));
      const title =
        added.length === 0
          ? 'Nothing to add'
          : added.length === 1
            ? `Added invoice ${added[0]}`
            : `Added ${added.length} invoices: ${added.join(', ')}`;
      const notes: string[] = [];
      if (already.length > 0) notes.push(`Already on this record: ${already.join(', ')}.`);
      if (!res.dealProperties.written && res.dealProperties.reason) notes.push(res.dealProperties.reason);
      setOutcome({ variant: 'success', title, message: notes.join(' ') || undefined });
      setSelected([]);
      setReload((n) => n + 1);
      onAdded();
    } catch (e) {
      if (mounted.current) setOutcome({ variant: 'danger', title: 'Could not add the invoices', message: asApiError(e).message });
    } finally {
      if (mounted.current) setAdding(false);
    }
  };

  if (connections.length === 0) {
    return (
      <PanelBody>
        <Alert title="Connect QuickBooks" variant="warning">
          Connect a QuickBooks company first: close this panel and use "Connect QuickBooks" on the card.
        </Alert>
      </PanelBody>
    );
  }

  const found = results.status === 'ready' ? results.value : undefined;

  return (
    <>
      <PanelBody>
        <Flex direction="column" gap="sm">
          {outcome && (
            <Alert title={outcome.title} variant={outcome.variant}>
              {outcome.message}
            </Alert>
          )}
          {connections.length > 1 && (
            <Select
              label="QuickBooks company"
              name="connectionId"
              options={connections.map((c) => ({ label: `${c.companyName} (${c.currency})`, value: c.id }))}
              value={connectionId}
              onChange={(v) => {
                setConnectionId(String(v));
                setPage(1);
                setSelected([]);
              }}
            />
          )}
          <Input
            label="Search invoices"
            name="invoiceSearch"
            placeholder="Invoice number, customer name or email, or amount"
            value={q}
            onInput={search}
            onChange={search}
          />
          {results.status === 'loading' && <LoadingSpinner label="Searching invoices" showLabel />}
          {results.status === 'error' && (
            <Alert title="Could not search the invoices" variant="danger">
              <Flex direction="column" gap="xs">
                <Text>{results.error.message}</Text>
                {results.error.code === 'not_connected' && <ConnectQuickBooks kind="reconnect" retryLabel="Try again" size="xs" />}
                <Button size="xs" onClick={() => setReload((n) => n + 1)}>
                  Try again
                </Button>
              </Flex>
            </Alert>
          )}
          {found && found.invoices.length === 0 && (
            <Text>{dq ? `No invoice in ${found.connection.companyName} matches "${dq}".` : `${found.connection.companyName} has no invoices.`}</Text>
          )}
          {found && found.invoices.length > 0 && (
            <Table bordered flush density="condensed">
              <TableHead>
                <TableRow>
                  <TableHeader>Invoice</TableHeader>
                  <TableHeader>Customer</TableHeader>
                  <TableHeader align="right">Total</TableHeader>
                  <TableHeader>Date</TableHeader>
                  <TableHeader>Status</TableHeader>
                </TableRow>
              </TableHead>
              <TableBody>
                {found.invoices.map((inv) => (
                  <TableRow key={inv.invoiceId}>
                    <TableCell>
                      {inv.linked ? (
                        <Flex direction="column">
                          <Text>{invoiceLabel(inv)}</Text>
                          <Text variant="microcopy">Already on this record</Text>
                        </Flex>
                      ) : (
                        <Checkbox
                          name={`invoice-${inv.invoiceId}`}
                          value={inv.invoiceId}
                          checked={selected.includes(inv.invoiceId)}
                          onChange={(checked) => toggle(inv.invoiceId, checked)}
                        >
                          {invoiceLabel(inv)}
                        </Checkbox>
                      )}
                    </TableCell>
                    <TableCell>{inv.customerName ?? '—'}</TableCell>
                    <TableCell align="right">{formatMoney(inv.total, inv.currency)}</TableCell>
                    <TableCell>{formatDate(inv.invoiceDate)}</TableCell>
                    <TableCell>
                      <StatusTag variant={statusVariant(inv.status)}>{inv.statusLabel}</StatusTag>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          {found && (found.page > 1 || found.more) && (
            <Flex direction="row" gap="xs">
              {found.page > 1 && (
                <Button size="xs" variant="secondary" onClick={() => setPage((p) => Math.max(1, p - 1))}>
                  Previous page
                </Button>
              )}
              {found.more && (
                <Button size="xs" variant="secondary" onClick={() => setPage((p) => p + 1)}>
                  More results
                </Button>
              )}
            </Flex>
          )}
        </Flex>
      </PanelBody>
      <PanelFooter>
        <Flex direction="row" justify="between" gap="sm" align="center">
          <Button variant="secondary" onClick={onClose}>
            Close
          </Button>
          <Flex direction="row" gap="sm" align="center">
            {selected.length > 0 && <Text variant="microcopy">{selected.length} selected</Text>}
            <Button variant="primary" disabled={selected.length === 0 || adding} onClick={() => void add()}>
              Add
            </Button>
          </Flex>
        </Flex>
      </PanelFooter>
    </>
  );
}
