// "Create invoice": a stepwise panel. Company (only with several) → Source
// (a quote or scratch) → Customer → Products → Tax (only with tax codes) →
// Terms and dates → Review → "Create draft invoice".
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Alert,
  Button,
  DateInput,
  DescriptionList,
  DescriptionListItem,
  Divider,
  Flex,
  Input,
  Link,
  LoadingSpinner,
  PanelBody,
  PanelFooter,
  Select,
  StepIndicator,
  Table,
  TableBody,
  TableCell,
  TableFooter,
  TableHead,
  TableHeader,
  TableRow,
  Text,
  TextArea,
  ToggleGroup,
} from '@hubspot/ui-extensions';
import { ApiError, api, asApiError } from './api';
import { ConnectQuickBooks } from './ConnectQuickBooks';
import type { FieldErrors } from './api';
import {
  AttemptKeys,
  NEW_CUSTOMER,
  STEP_TITLES,
  buildRequest,
  checkStep,
  dueDateFor,
  emptyLine,
  firstErrorStep,
  formFromDraft,
  lineErrors,
  stepsFor,
  totals,
  withItem,
} from './createModel';
import type { CreateForm, LineForm, StepId } from './createModel';
import { formatDate, formatMoney, fromDateValue, newIdempotencyKey, toDateValue } from './format';
import { useDebounced, useMounted } from './hooks';
import type { Connection, Created, Customer, Draft, Item, NewCustomer, ObjectType, QuoteOption } from './types';

export const CREATE_PANEL_ID = 'create-invoice-panel';

type Loadable<T> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; error: ApiError }
  | { status: 'ready'; value: T };

interface Problem {
  title: string;
  message?: string;
}

interface Props {
  objectType: ObjectType;
  objectId: string;
  /** The portal's usable (connected) QuickBooks companies. */
  connections: Connection[];
  onCreated: (res: Created) => void;
  onClose: () => void;
}

export function CreateInvoiceFlow({ objectType, objectId, connections, onCreated, onClose }: Props) {
  const mounted = useMounted();
  // One AttemptKeys per opened panel: a new panel, a new key.
  const keys = useRef<AttemptKeys | null>(null);
  if (!keys.current) keys.current = new AttemptKeys(newIdempotencyKey);

  const [connectionId, setConnectionId] = useState(connections.length === 1 ? connections[0].id : '');
  const [step, setStep] = useState<StepId>(connections.length > 1 ? 'company' : 'source');
  const [scratch, setScratch] = useState<Loadable<Draft>>({ status: 'idle' });
  const [source, setSource] = useState<'' | 'quote' | 'scratch'>('');
  const [quoteId, setQuoteId] = useState('');
  const [draft, setDraft] = useState<Draft | undefined>();
  const [draftKey, setDraftKey] = useState('');
  const [form, setForm] = useState<CreateForm | undefined>();
  const [loadingDraft, setLoadingDraft] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [created, setCreated] = useState<Created | undefined>();
  const [picked, setPicked] = useState<Customer[]>([]);
  const inFlight = useRef(false);
  const currentConnection = useRef(connectionId);
  currentConnection.current = connectionId;

  const connection = connections.find((c) => c.id === connectionId);
  const hasTaxCodes = draft
    ? draft.taxCodes.length > 0
    : scratch.status === 'ready'
      ? scratch.value.taxCodes.length > 0
      : !!connection && connection.country !== 'US';
  const steps = stepsFor({ connections: connections.length, hasTaxCodes });
  const index = Math.max(0, steps.indexOf(step));

  const loadScratch = useCallback(
    async (connId: string) => {
      setScratch({ status: 'loading' });
      try {
        const d = await api.draft(objectType, objectId, connId);
        if (!mounted.current || currentConnection.current !== connId) return;
        setScratch({ status: 'ready', value: d });
        const firstQuote = d.quotes.find((q) => q.invoiceable);
        setSource((s) => s || (firstQuote ? 'quote' : 'scratch'));
        setQuoteId((q) => q || firstQuote?.id || '');
      } catch (e) {
        if (!mounted.current || currentConnection.current !== connId) return;
        setScratch({ status: 'error', error: asApiError(e) });
      }
    },
    [objectType, objectId, mounted],
  );

  useEffect(() => {
    if (step === 'source' && connectionId && scratch.status === 'idle') void loadScratch(connectionId);
  }, [step, connectionId, scratch.status, loadScratch]);

  const clear = (...paths: string[]) =>
    setErrors((e) => {
      if (!paths.some((p) => p in e)) return e;
      const next = { ...e };
      for (const p of paths) delete next[p];
      return next;
    });

  const update = (patch: Partial<CreateForm>, ...paths: string[]) => {
    setForm((f) => (f ? { ...f, ...patch } : f));
    clear(...paths);
  };

  const updateLine = (i: number, patch: Partial<LineForm>, ...fields: string[]) => {
    setForm((f) => (f ? { ...f, lines: f.lines.map((l, j) => (j === i ? { ...l, ...patch } : l)) } : f));
    clear(...fields.map((n) => (n ? `lines[${i}].${n}` : `lines[${i}]`)), 'lines');
  };

  const go = (s: StepId | undefined) => {
    if (!s) return;
    setProblem(null);
    setStep(s);
  };

  const chooseConnection = (id: string) => {
    if (id === connectionId) return;
    setConnectionId(id);
    setScratch({ status: 'idle' });
    setSource('');
    setQuoteId('');
    setDraft(undefined);
    setDraftKey('');
    setForm(undefined);
    setPicked([]);
    clear('connectionId');
  };

  const next = async () => {
    setProblem(null);
    if (step === 'company') {
      if (!connectionId) {
        setErrors((e) => ({ ...e, connectionId: 'Choose a QuickBooks company.' }));
        return;
      }
      go('source');
      return;
    }
    if (step === 'source') {
      if (scratch.status !== 'ready') return;
      if (!source) {
        setErrors((e) => ({ ...e, source: 'Choose where the invoice comes from.' }));
        return;
      }
      if (source === 'quote' && !quoteId) {
        setErrors((e) => ({ ...e, quoteId: 'Choose a quote.' }));
        return;
      }
      const key = `${connectionId}|${source === 'quote' ? quoteId : ''}`;
      if (key !== draftKey) {
        let d: Draft = scratch.value;
        if (source === 'quote') {
          setLoadingDraft(true);
          try {
            d = await api.draft(objectType, objectId, connectionId, quoteId);
          } catch (e) {
            if (mounted.current) setProblem({ title: 'Could not prepare the invoice from the quote', message: asApiError(e).message });
            return;
          } finally {
            if (mounted.current) setLoadingDraft(false);
          }
          if (!mounted.current) return;
        }
        setDraft(d);
        setDraftKey(key);
        setForm(formFromDraft(d));
        setPicked([]);
        setErrors({});
      }
      go('customer');
      return;
    }
    if (!form || !draft) return;
    const errs = checkStep(step, form, draft);
    if (Object.keys(errs).length > 0) {
      setErrors((e) => ({ ...e, ...errs }));
      return;
    }
    go(steps[index + 1]);
  };

  const back = () => go(steps[index - 1]);

  const submit = async () => {
    if (!form || !draft || inFlight.current) return;
    const local: FieldErrors = {};
    for (const s of ['customer', 'products', 'tax', 'terms'] as StepId[]) {
      if (steps.includes(s)) Object.assign(local, checkStep(s, form, draft));
    }
    if (Object.keys(local).length > 0) {
      setErrors(local);
      setStep(firstErrorStep(local, steps) ?? 'review');
      setProblem({ title: 'Please fix the highlighted fields' });
      return;
    }
    const body = buildRequest(draft, form);
    const idempotencyKey = keys.current!.keyFor(body);
    inFlight.current = true;
    setSubmitting(true);
    setProblem(null);
    try {
      const res = await api.createInvoice(objectType, objectId, { ...body, idempotencyKey });
      if (!mounted.current) return;
      setCreated(res);
      onCreated(res);
    } catch (e) {
      const err = asApiError(e);
      keys.current!.settle(err);
      if (!mounted.current) return;
      if (err.code === 'invalid' && Object.keys(err.fields).length > 0) {
        setErrors(err.fields);
        setStep(firstErrorStep(err.fields, steps) ?? 'review');
        setProblem({ title: 'Please fix the highlighted fields', message: err.message });
      } else if (err.code === 'conflict') {
        setProblem({
          title: 'This invoice may already exist',
          message: `${err.message} Check the invoices on this record before trying again.`,
        });
      } else {
        setProblem({
          title: 'Could not create the invoice',
          message: err.transient ? `${err.message} Trying again will not create a second invoice.` : err.message,
        });
      }
    } finally {
      inFlight.current = false;
      if (mounted.current) setSubmitting(false);
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

  if (created) {
    return <CreatedView created={created} onClose={onClose} />;
  }

  const stepErrors = (s: StepId) => (
    <>{problem && step === s && <Alert title={problem.title} variant="danger">{problem.message}</Alert>}</>
  );

  let body: JSX.Element;
  switch (step) {
    case 'company':
      body = (
        <Select
          label="QuickBooks company"
          name="connectionId"
          required
          placeholder="Choose a company"
          options={connections.map((c) => ({ label: `${c.companyName} (${c.currency})`, value: c.id }))}
          value={connectionId || undefined}
          onChange={(v) => chooseConnection(String(v))}
          error={!!errors.connectionId}
          validationMessage={errors.connectionId}
        />
      );
      break;
    case 'source':
      body = (
        <SourceStep
          scratch={scratch}
          source={source}
          quoteId={quoteId}
          loadingDraft={loadingDraft}
          errors={errors}
          onRetry={() => void loadScratch(connectionId)}
          onSource={(s) => {
            setSource(s);
            clear('source', 'quoteId');
          }}
          onQuote={(q) => {
            setQuoteId(q);
            clear('quoteId');
          }}
        />
      );
      break;
    case 'customer':
      body = (
        <CustomerStep
          draft={draft!}
          form={form!}
          errors={errors}
          picked={picked}
          onChoose={(id, c) => {
            if (c && !draft!.customers.some((d) => d.id === c.id) && !picked.some((p) => p.id === c.id)) {
              setPicked((list) => [...list, c]);
            }
            const patch: Partial<CreateForm> = { customerChoice: id };
            if (id === NEW_CUSTOMER) {
              if (form!.newCustomer.email) patch.billEmail = form!.newCustomer.email;
            } else if (c?.email) {
              patch.billEmail = c.email;
            }
            if (c?.termId && draft!.terms.some((t) => t.id === c.termId)) {
              patch.termId = c.termId;
              patch.dueDate = dueDateFor(form!.txnDate, c.termId, draft!) ?? form!.dueDate;
            }
            update(patch, 'customer', 'customer.id');
          }}
          onNewCustomer={(p) => {
            const nc = { ...form!.newCustomer, ...p };
            const patch: Partial<CreateForm> = { newCustomer: nc };
            if (p.email !== undefined) patch.billEmail = p.email;
            update(patch, 'customer', 'customer.new.displayName', 'customer.new.email');
          }}
        />
      );
      break;
    case 'products':
      body = (
        <ProductsStep
          draft={draft!}
          form={form!}
          errors={errors}
          onLine={updateLine}
          onPick={(i, item) => {
            const line = form!.lines[i];
            const added = line.draftIndex === undefined;
            setForm((f) => (f ? { ...f, lines: f.lines.map((l, j) => (j === i ? withItem(l, item, draft!, added) : l)) } : f));
            clear(`lines[${i}].itemId`, `lines[${i}].taxCodeId`, `lines[${i}]`, 'lines');
          }}
          onAdd={() => {
            setForm((f) => (f ? { ...f, lines: [...f.lines, emptyLine()] } : f));
            clear('lines');
          }}
          onRemove={(i) => {
            setForm((f) => (f ? { ...f, lines: f.lines.filter((_, j) => j !== i) } : f));
            // Paths of later lines shift: drop every line error.
            setErrors((e) => Object.fromEntries(Object.entries(e).filter(([p]) => !p.startsWith('lines'))));
          }}
        />
      );
      break;
    case 'tax':
      body = <TaxStep draft={draft!} form={form!} errors={errors} onLine={updateLine} />;
      break;
    case 'terms':
      body = <TermsStep draft={draft!} form={form!} errors={errors} onChange={update} />;
      break;
    default:
      body = <ReviewStep draft={draft!} form={form!} picked={picked} submitting={submitting} />;
  }

  const nextDisabled =
    (step === 'source' && (scratch.status !== 'ready' || loadingDraft)) || (step !== 'company' && step !== 'source' && !form);

  return (
    <>
      <PanelBody>
        <Flex direction="column" gap="md">
          <StepIndicator
            stepNames={steps.map((s) => STEP_TITLES[s])}
            currentStep={index}
            variant="compact"
            onClick={(i) => {
              if (i < index && !submitting) go(steps[i]);
            }}
          />
          {stepErrors(step)}
          {body}
        </Flex>
      </PanelBody>
      <PanelFooter>
        <Flex direction="row" justify="between" gap="sm">
          <Button variant="secondary" disabled={index === 0 || submitting} onClick={back}>
            Back
          </Button>
          {step === 'review' ? (
            <Button variant="primary" disabled={submitting} onClick={() => void submit()}>
              Create draft invoice
            </Button>
          ) : (
            <Button variant="primary" disabled={nextDisabled} onClick={() => void next()}>
              Next
            </Button>
          )}
        </Flex>
      </PanelFooter>
    </>
  );
}

// ---- steps ----

function quoteLabel(q: QuoteOption): string {
  const name = [q.number, q.title].filter(Boolean).join(' · ');
  return name || `Quote ${q.id}`;
}

/** Warns that the QuickBooks company works only in its home currency; nothing when there is no note. */
function MultiCurrencyAlert({ note }: { note?: string }) {
  if (!note) return null;
  return (
    <Alert title="Multicurrency is off" variant="warning">
      {note}
    </Alert>
  );
}

function SourceStep(props: {
  scratch: Loadable<Draft>;
  source: '' | 'quote' | 'scratch';
  quoteId: string;
  loadingDraft: boolean;
  errors: FieldErrors;
  onRetry: () => void;
  onSource: (s: 'quote' | 'scratch') => void;
  onQuote: (id: string) => void;
}) {
  const { scratch, source, quoteId, loadingDraft, errors } = props;
  if (scratch.status === 'idle' || scratch.status === 'loading') {
    return <LoadingSpinner label="Preparing the invoice" showLabel />;
  }
  if (scratch.status === 'error') {
    const notConnected = scratch.error.code === 'not_connected';
    return (
      <Alert title={notConnected ? 'Reconnect QuickBooks' : 'Could not prepare the invoice'} variant="danger">
        <Flex direction="column" gap="xs">
          <Text>{scratch.error.message}</Text>
          {notConnected && <ConnectQuickBooks kind="reconnect" retryLabel="Try again" size="xs" />}
          <Button size="xs" onClick={props.onRetry}>
            Try again
          </Button>
        </Flex>
      </Alert>
    );
  }
  const d = scratch.value;
  const invoiceable = d.quotes.filter((q) => q.invoiceable);
  const blocked = d.quotes.filter((q) => !q.invoiceable);
  const options = [];
  if (invoiceable.length > 0) {
    options.push({ label: 'From quote', value: 'quote', description: "Use a published quote's customer, products and prices." });
  }
  options.push({ label: 'From scratch', value: 'scratch', description: "Start from the record's contact, company and line items." });
  return (
    <Flex direction="column" gap="sm">
      <ToggleGroup
        toggleType="radioButtonList"
        name="source"
        label="Create the invoice"
        required
        options={options}
        value={source || undefined}
        onChange={(v: string) => props.onSource(v as 'quote' | 'scratch')}
        error={!!errors.source}
        validationMessage={errors.source}
      />
      {source === 'quote' && invoiceable.length > 0 && (
        <Select
          label="Quote"
          name="quoteId"
          required
          options={invoiceable.map((q) => ({ label: quoteLabel(q), value: q.id }))}
          value={quoteId || undefined}
          onChange={(v) => props.onQuote(String(v))}
          error={!!errors.quoteId}
          validationMessage={errors.quoteId}
        />
      )}
      {source !== 'quote' && errors.quoteId && <Alert title="Quote" variant="danger">{errors.quoteId}</Alert>}
      <MultiCurrencyAlert note={d.currency.multiCurrencyNote} />
      {blocked.length > 0 && (
        <Flex direction="column" gap="xs">
          <Text variant="microcopy" format={{ fontWeight: 'demibold' }}>
            {invoiceable.length > 0 ? 'Quotes that cannot be invoiced' : 'No quote of this deal can be invoiced'}
          </Text>
          {blocked.map((q) => (
            <Text variant="microcopy" key={q.id}>
              {q.reason ?? `${quoteLabel(q)} cannot be invoiced.`}
            </Text>
          ))}
        </Flex>
      )}
      {loadingDraft && <LoadingSpinner label="Reading the quote" showLabel />}
    </Flex>
  );
}

function CustomerStep(props: {
  draft: Draft;
  form: CreateForm;
  errors: FieldErrors;
  picked: Customer[];
  onChoose: (id: string, c?: { id: string; email?: string; termId?: string; displayName: string }) => void;
  onNewCustomer: (p: Partial<NewCustomer>) => void;
}) {
  const { draft, form, errors, picked } = props;
  const connectionId = draft.connection.id;
  const [q, setQ] = useState('');
  const dq = useDebounced(q.trim(), 300);
  const [results, setResults] = useState<Loadable<Customer[]>>({ status: 'idle' });

  useEffect(() => {
    if (!dq) {
      setResults({ status: 'idle' });
      return;
    }
    let live = true;
    setResults({ status: 'loading' });
    api
      .customers(connectionId, dq)
      .then((r) => live && setResults({ status: 'ready', value: r.customers }))
      .catch((e) => live && setResults({ status: 'error', error: asApiError(e) }));
    return () => {
      live = false;
    };
  }, [dq, connectionId]);

  const candidates = draft.customers.map((c) => ({
    label: c.displayName,
    value: c.id,
    description: [c.email, c.reason].filter(Boolean).join(' · '),
  }));
  const extra = picked
    .filter((p) => !draft.customers.some((c) => c.id === p.id))
    .map((p) => ({ label: p.displayName, value: p.id, description: [p.email, 'found by search'].filter(Boolean).join(' · ') }));
  const options = [
    ...candidates,
    ...extra,
    { label: 'New customer', value: NEW_CUSTOMER, description: 'Create the customer in QuickBooks with the invoice.' },
  ];
  const customerError = errors['customer'] ?? errors['customer.id'];
  const found = results.status === 'ready' ? results.value : [];

  return (
    <Flex direction="column" gap="sm">
      {draft.customers.length === 0 && (
        <Text variant="microcopy">No QuickBooks customer matches this record. Search for one, or create a new customer.</Text>
      )}
      <ToggleGroup
        toggleType="radioButtonList"
        name="customer"
        label="Customer"
        required
        options={options}
        value={form.customerChoice || undefined}
        onChange={(v: string) => {
          const c = draft.customers.find((x) => x.id === v) ?? picked.find((x) => x.id === v);
          props.onChoose(v, c);
        }}
        error={!!customerError}
        validationMessage={customerError}
      />
      {form.customerChoice === NEW_CUSTOMER && (
        <Flex direction="column" gap="xs">
          <Input
            label="Customer name"
            name="customer.new.displayName"
            required
            value={form.newCustomer.displayName}
            onInput={(v) => props.onNewCustomer({ displayName: v })}
            onChange={(v) => props.onNewCustomer({ displayName: v })}
            error={!!errors['customer.new.displayName']}
            validationMessage={errors['customer.new.displayName']}
          />
          <Input
            label="Customer email"
            name="customer.new.email"
            value={form.newCustomer.email ?? ''}
            onInput={(v) => props.onNewCustomer({ email: v })}
            onChange={(v) => props.onNewCustomer({ email: v })}
            error={!!errors['customer.new.email']}
            validationMessage={errors['customer.new.email']}
          />
        </Flex>
      )}
      <Divider />
      <Input
        label="Search customers"
        name="customerSearch"
        placeholder="Name, company or email"
        value={q}
        onInput={setQ}
        onChange={setQ}
      />
      {results.status === 'loading' && <LoadingSpinner label="Searching customers" />}
      {results.status === 'error' && <Text variant="microcopy">{results.error.message}</Text>}
      {results.status === 'ready' && found.length === 0 && <Text variant="microcopy">No QuickBooks customer matches "{dq}".</Text>}
      {found.length > 0 && (
        <ToggleGroup
          toggleType="radioButtonList"
          name="customerResults"
          label="Search results"
          options={found.map((c) => ({
            label: c.displayName,
            value: c.id,
            description: [c.companyName !== c.displayName ? c.companyName : undefined, c.email].filter(Boolean).join(' · '),
          }))}
          value={found.some((c) => c.id === form.customerChoice) ? form.customerChoice : undefined}
          onChange={(v: string) => {
            const c = found.find((x) => x.id === v);
            if (c) props.onChoose(c.id, c);
          }}
        />
      )}
    </Flex>
  );
}

function matchText(line: LineForm, draft: Draft): string {
  const dl = line.draftIndex !== undefined ? draft.lines[line.draftIndex] : undefined;
  if (dl && dl.itemId && dl.itemId === line.itemId) {
    return dl.match === 'sku'
      ? `Matched by SKU to ${dl.itemName ?? 'a QuickBooks product'}`
      : `Matched by name to ${dl.itemName ?? 'a QuickBooks product'}`;
  }
  if (line.itemId) return `QuickBooks product: ${line.itemName ?? line.itemId}`;
  return dl ? 'No QuickBooks product matches this line. Choose one.' : 'Choose a QuickBooks product or service.';
}

function ProductsStep(props: {
  draft: Draft;
  form: CreateForm;
  errors: FieldErrors;
  onLine: (i: number, patch: Partial<LineForm>, ...fields: string[]) => void;
  onPick: (i: number, item: Item) => void;
  onAdd: () => void;
  onRemove: (i: number) => void;
}) {
  const { draft, form, errors } = props;
  const t = totals(form);
  const currency = draft.currency.invoice;
  return (
    <Flex direction="column" gap="sm">
      {errors['lines'] && (
        <Alert title="Lines" variant="danger">
          {errors['lines']}
        </Alert>
      )}
      {form.lines.length === 0 && <Text>This record has no line items. Add a line to invoice.</Text>}
      {form.lines.map((line, i) => {
        const dl = line.draftIndex !== undefined ? draft.lines[line.draftIndex] : undefined;
        const le = lineErrors(errors, i);
        const needsPicker = !dl || !dl.itemId || line.itemId !== dl.itemId || !!le['itemId'];
        return (
          <Flex direction="column" gap="xs" key={i}>
            <Text format={{ fontWeight: 'bold' }}>
              {dl ? `${dl.name}${dl.sku ? ` (${dl.sku})` : ''}` : `New line ${i + 1}`}
            </Text>
            <Text variant="microcopy">{matchText(line, draft)}</Text>
            {needsPicker && (
              <ItemPicker
                index={i}
                connectionId={draft.connection.id}
                itemId={line.itemId}
                itemName={line.itemName}
                error={le['itemId']}
                onPick={(item) => props.onPick(i, item)}
              />
            )}
            <Flex direction="row" gap="xs">
              <Input
                label="Quantity"
                name={`lines[${i}].quantity`}
                required
                value={line.quantity}
                onInput={(v) => props.onLine(i, { quantity: v }, 'quantity', '')}
                onChange={(v) => props.onLine(i, { quantity: v }, 'quantity', '')}
                error={!!(le['quantity'] ?? le[''])}
                validationMessage={le['quantity'] ?? le['']}
              />
              <Input
                label="Unit price"
                name={`lines[${i}].unitPrice`}
                required
                value={line.unitPrice}
                onInput={(v) => props.onLine(i, { unitPrice: v }, 'unitPrice', '')}
                onChange={(v) => props.onLine(i, { unitPrice: v }, 'unitPrice', '')}
                error={!!le['unitPrice']}
                validationMessage={le['unitPrice']}
              />
            </Flex>
            {le['description'] && <Text variant="microcopy">{le['description']}</Text>}
            <Text variant="microcopy">Amount: {t.lines[i] !== undefined ? formatMoney(t.lines[i], currency) : '—'}</Text>
            {!dl && (
              <Button size="xs" variant="transparent" onClick={() => props.onRemove(i)}>
                Remove line
              </Button>
            )}
            <Divider />
          </Flex>
        );
      })}
      <Button size="xs" variant="secondary" onClick={props.onAdd}>
        Add line
      </Button>
    </Flex>
  );
}

function ItemPicker(props: {
  index: number;
  connectionId: string;
  itemId: string;
  itemName?: string;
  error?: string;
  onPick: (item: Item) => void;
}) {
  const [q, setQ] = useState('');
  const dq = useDebounced(q.trim(), 300);
  const [items, setItems] = useState<Loadable<Item[]>>({ status: 'idle' });

  useEffect(() => {
    let live = true;
    setItems({ status: 'loading' });
    api
      .items(props.connectionId, dq)
      .then((r) => live && setItems({ status: 'ready', value: r.items }))
      .catch((e) => live && setItems({ status: 'error', error: asApiError(e) }));
    return () => {
      live = false;
    };
  }, [dq, props.connectionId]);

  const list = items.status === 'ready' ? items.value : [];
  const options = list.map((it) => ({
    label: `${it.name}${it.sku ? ` (${it.sku})` : ''} · ${it.unitPrice}`,
    value: it.id,
  }));
  if (props.itemId && !list.some((it) => it.id === props.itemId)) {
    options.unshift({ label: props.itemName ?? props.itemId, value: props.itemId });
  }
  return (
    <Flex direction="column" gap="xs">
      <Input
        label="Search products"
        name={`lines[${props.index}].itemSearch`}
        placeholder="Name, SKU or description"
        value={q}
        onInput={setQ}
        onChange={setQ}
      />
      <Select
        label="QuickBooks product"
        name={`lines[${props.index}].itemId`}
        required
        placeholder={items.status === 'loading' ? 'Loading products…' : 'Choose a product or service'}
        options={options}
        value={props.itemId || undefined}
        onChange={(v) => {
          const it = list.find((x) => x.id === String(v));
          if (it) props.onPick(it);
        }}
        error={!!props.error}
        validationMessage={props.error}
      />
      {items.status === 'ready' && list.length === 0 && (
        <Text variant="microcopy">{dq ? `No QuickBooks product matches "${dq}".` : 'QuickBooks has no active products or services.'}</Text>
      )}
      {items.status === 'error' && <Text variant="microcopy">{items.error.message}</Text>}
    </Flex>
  );
}

function TaxStep(props: {
  draft: Draft;
  form: CreateForm;
  errors: FieldErrors;
  onLine: (i: number, patch: Partial<LineForm>, ...fields: string[]) => void;
}) {
  const { draft, form, errors } = props;
  return (
    <Flex direction="column" gap="sm">
      <Text variant="microcopy">{draft.connection.companyName} charges tax by tax code. Choose one for each line.</Text>
      {form.lines.map((line, i) => {
        const le = lineErrors(errors, i);
        const dl = line.draftIndex !== undefined ? draft.lines[line.draftIndex] : undefined;
        return (
          <Flex direction="column" gap="xs" key={i}>
            <Text format={{ fontWeight: 'demibold' }}>{line.itemName ?? dl?.name ?? line.description ?? `Line ${i + 1}`}</Text>
            <Select
              label="Tax code"
              name={`lines[${i}].taxCodeId`}
              required
              placeholder="Choose a tax code"
              options={[{ label: 'No tax code', value: '' }, ...draft.taxCodes.map((t) => ({ label: t.name, value: t.id }))]}
              value={line.taxCodeId || undefined}
              onChange={(v) => props.onLine(i, { taxCodeId: v ? String(v) : '' }, 'taxCodeId')}
              error={!!le['taxCodeId']}
              validationMessage={le['taxCodeId']}
            />
          </Flex>
        );
      })}
    </Flex>
  );
}

function TermsStep(props: {
  draft: Draft;
  form: CreateForm;
  errors: FieldErrors;
  onChange: (patch: Partial<CreateForm>, ...paths: string[]) => void;
}) {
  const { draft, form, errors, onChange } = props;
  const numbered = draft.docNumberRequired || draft.connection.customTxnNumbers;
  return (
    <Flex direction="column" gap="sm">
      {draft.terms.length > 0 && (
        <Select
          label="Terms"
          name="termId"
          placeholder="No terms"
          options={draft.terms.map((t) => ({ label: t.name, value: t.id }))}
          value={form.termId || undefined}
          onChange={(v) => {
            const termId = String(v);
            onChange({ termId, dueDate: dueDateFor(form.txnDate, termId, draft) ?? form.dueDate }, 'termId', 'dueDate');
          }}
          error={!!errors.termId}
          validationMessage={errors.termId}
        />
      )}
      <DateInput
        label="Invoice date"
        name="txnDate"
        required
        format="YYYY-MM-DD"
        value={toDateValue(form.txnDate)}
        onChange={(v) => {
          const txnDate = fromDateValue(v);
          const dueDate = (form.termId && dueDateFor(txnDate, form.termId, draft)) || form.dueDate;
          onChange({ txnDate, dueDate }, 'txnDate', 'dueDate');
        }}
        error={!!errors.txnDate}
        validationMessage={errors.txnDate}
      />
      <DateInput
        label="Due date"
        name="dueDate"
        format="YYYY-MM-DD"
        value={toDateValue(form.dueDate)}
        onChange={(v) => onChange({ dueDate: fromDateValue(v) }, 'dueDate')}
        error={!!errors.dueDate}
        validationMessage={errors.dueDate}
      />
      {numbered ? (
        <Input
          label="Invoice number"
          name="docNumber"
          required={draft.docNumberRequired}
          description={
            draft.invoice.docNumber
              ? `${draft.connection.companyName} numbers its invoices itself. Suggested: ${draft.invoice.docNumber}`
              : `${draft.connection.companyName} numbers its invoices itself.`
          }
          value={form.docNumber}
          onInput={(v) => onChange({ docNumber: v }, 'docNumber')}
          onChange={(v) => onChange({ docNumber: v }, 'docNumber')}
          error={!!errors.docNumber}
          validationMessage={errors.docNumber}
        />
      ) : (
        <Text variant="microcopy">QuickBooks gives the invoice its number.</Text>
      )}
      <Input
        label="Billing email"
        name="billEmail"
        value={form.billEmail}
        onInput={(v) => onChange({ billEmail: v }, 'billEmail')}
        onChange={(v) => onChange({ billEmail: v }, 'billEmail')}
        error={!!errors.billEmail}
        validationMessage={errors.billEmail}
      />
      <TextArea
        label="Message to customer"
        name="message"
        maxLength={1000}
        value={form.message}
        onInput={(v) => onChange({ message: v }, 'message')}
        onChange={(v) => onChange({ message: v }, 'message')}
        error={!!errors.message}
        validationMessage={errors.message}
      />
    </Flex>
  );
}

function customerName(draft: Draft, form: CreateForm, picked: Customer[]): string {
  if (form.customerChoice === NEW_CUSTOMER) return `${form.newCustomer.displayName.trim()} (new)`;
  const c = draft.customers.find((x) => x.id === form.customerChoice) ?? picked.find((x) => x.id === form.customerChoice);
  return c?.displayName ?? form.customerChoice;
}

function ReviewStep(props: { draft: Draft; form: CreateForm; picked: Customer[]; submitting: boolean }) {
  const { draft, form, picked, submitting } = props;
  const t = totals(form);
  const currency = draft.currency.invoice;
  const term = draft.terms.find((x) => x.id === form.termId);
  return (
    <Flex direction="column" gap="sm">
      <DescriptionList direction="column">
        <DescriptionListItem label="QuickBooks company">
          <Text>{draft.connection.companyName}</Text>
        </DescriptionListItem>
        <DescriptionListItem label="Source">
          <Text>{draft.quote ? `Quote ${quoteLabel(draft.quote)}` : 'From scratch'}</Text>
        </DescriptionListItem>
        <DescriptionListItem label="Customer">
          <Text>{customerName(draft, form, picked)}</Text>
        </DescriptionListItem>
        <DescriptionListItem label="Invoice date">
          <Text>{formatDate(form.txnDate)}</Text>
        </DescriptionListItem>
        <DescriptionListItem label="Due date">
          <Text>{form.dueDate ? formatDate(form.dueDate) : '—'}</Text>
        </DescriptionListItem>
        <DescriptionListItem label="Terms">
          <Text>{term?.name ?? '—'}</Text>
        </DescriptionListItem>
        <DescriptionListItem label="Invoice number">
          <Text>{form.docNumber.trim() || 'Set by QuickBooks'}</Text>
        </DescriptionListItem>
      </DescriptionList>
      <Table bordered flush density="condensed">
        <TableHead>
          <TableRow>
            <TableHeader>Product</TableHeader>
            <TableHeader align="right">Qty</TableHeader>
            <TableHeader align="right">Unit price</TableHeader>
            {draft.taxCodes.length > 0 && <TableHeader>Tax</TableHeader>}
            <TableHeader align="right">Amount</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {form.lines.map((l, i) => (
            <TableRow key={i}>
              <TableCell>{l.itemName ?? l.description ?? l.itemId}</TableCell>
              <TableCell align="right">{l.quantity}</TableCell>
              <TableCell align="right">{formatMoney(l.unitPrice, currency)}</TableCell>
              {draft.taxCodes.length > 0 && <TableCell>{draft.taxCodes.find((x) => x.id === l.taxCodeId)?.name ?? '—'}</TableCell>}
              <TableCell align="right">{formatMoney(t.lines[i], currency)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
        <TableFooter>
          <TableRow>
            <TableCell colSpan={draft.taxCodes.length > 0 ? 4 : 3}>Total before tax</TableCell>
            <TableCell align="right">{formatMoney(t.subtotal, currency)}</TableCell>
          </TableRow>
        </TableFooter>
      </Table>
      <Text variant="microcopy">QuickBooks adds any tax when it creates the invoice. The invoice is saved as a draft and not emailed.</Text>
      <MultiCurrencyAlert note={draft.currency.multiCurrencyNote} />
      {draft.currency.dealPropertiesNote && (
        <Alert title="Currency" variant="info">
          {draft.currency.dealPropertiesNote}
        </Alert>
      )}
      {submitting && <LoadingSpinner label="Creating the invoice in QuickBooks" showLabel />}
    </Flex>
  );
}

function CreatedView({ created, onClose }: { created: Created; onClose: () => void }) {
  const inv = created.invoice;
  const number = inv.number ?? inv.invoiceId;
  const notes: string[] = [];
  if (created.customerCreated) notes.push(`Customer ${inv.customerName ?? ''} was created in QuickBooks.`.replace('  ', ' '));
  if (!created.dealProperties.written && created.dealProperties.reason) notes.push(created.dealProperties.reason);
  notes.push(...created.notices);
  return (
    <>
      <PanelBody>
        <Flex direction="column" gap="sm">
          <Alert title={`Created invoice ${number}`} variant="success">
            Draft invoice {number}
            {inv.customerName ? ` for ${inv.customerName}` : ''}
            {inv.total ? `, ${formatMoney(inv.total, inv.currency)},` : ''} is in QuickBooks and on this record.
          </Alert>
          {notes.map((n, i) => (
            <Text variant="microcopy" key={i}>
              {n}
            </Text>
          ))}
          {inv.webUrl && <Link href={{ url: inv.webUrl, external: true }}>Open in QuickBooks</Link>}
        </Flex>
      </PanelBody>
      <PanelFooter>
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      </PanelFooter>
    </>
  );
}
