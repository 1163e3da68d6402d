package qbofake

// Route names key fault injection (Server.Faults) and request counters
// (Server.Counters). Entity routes are "<entity>.<operation>", the entity in
// lower case as in the URL path.
const (
	RouteQuery       = "query"
	RouteCDC         = "cdc"
	RouteBatch       = "batch"
	RoutePreferences = "preferences" // read and update
	RouteCompanyInfo = "companyinfo" // read and update
	// RouteUnsupported counts requests to paths QBO has no resource for.
	RouteUnsupported = "unsupported"

	RouteInvoiceCreate = "invoice.create"
	RouteInvoiceRead   = "invoice.read"
	RouteInvoiceUpdate = "invoice.update" // full and sparse
	RouteInvoiceVoid   = "invoice.void"
	RouteInvoiceDelete = "invoice.delete"
	RouteInvoiceSend   = "invoice.send"
	RouteInvoicePDF    = "invoice.pdf"

	RouteCustomerCreate = "customer.create"
	RouteCustomerRead   = "customer.read"
	RouteCustomerUpdate = "customer.update"

	RouteVendorCreate = "vendor.create"
	RouteVendorRead   = "vendor.read"
	RouteVendorUpdate = "vendor.update"

	RouteEmployeeCreate = "employee.create"
	RouteEmployeeRead   = "employee.read"
	RouteEmployeeUpdate = "employee.update"

	RouteItemCreate = "item.create"
	RouteItemRead   = "item.read"
	RouteItemUpdate = "item.update"

	RouteTermCreate = "term.create"
	RouteTermRead   = "term.read"
	RouteTermUpdate = "term.update"

	RoutePaymentCreate = "payment.create"
	RoutePaymentRead   = "payment.read"
	RoutePaymentUpdate = "payment.update"
	RoutePaymentVoid   = "payment.void"
	RoutePaymentDelete = "payment.delete"

	RouteTaxCodeRead = "taxcode.read"
	RouteTaxRateRead = "taxrate.read"

	// OAuth and discovery (reference §6).
	RouteOAuthDiscovery = "oauth.discovery"
	RouteOAuthAuthorize = "oauth.authorize"
	RouteOAuthToken     = "oauth.token"
	RouteOAuthRevoke    = "oauth.revoke"
	RouteOAuthUserInfo  = "oauth.userinfo"

	// RouteWebhookDeliver is a fault route only: a fault armed here is
	// applied to each outgoing delivery attempt of that realm instead of
	// contacting the receiver. Status makes the attempt fail (and be
	// retried), Latency delays it, Drop loses the notification for good, the
	// way a best-effort delivery can (reference §5.2). Deliveries are not
	// counted in Counters, so "zero QBO calls" assertions stay exact.
	RouteWebhookDeliver = "webhook.deliver"
)

// route returns the route name for an operation on an entity path segment
// ("invoice", "customer", …).
func route(entity, op string) string { return entity + "." + op }
