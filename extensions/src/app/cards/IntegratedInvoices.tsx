// The card's entry point (IntegratedInvoices-hsmeta.json → entrypoint).
import { hubspot } from '@hubspot/ui-extensions';
import { InvoicesCard } from './InvoicesCard';

hubspot.extend<'crm.record.sidebar'>(({ context, actions }) => <InvoicesCard context={context} actions={actions} />);
