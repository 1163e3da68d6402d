package hubspot_test

import (
	"context"
	"slices"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// The calls of contact and product sync (contacts.go) against the fake.

func wantCode(t *testing.T, what string, err error, code app.Code) {
	t.Helper()
	if got := app.ErrorCode(err); got != code {
		t.Errorf("%s: error code %q (%v), want %q", what, got, err, code)
	}
}

func TestObjectProperties(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	ctx := context.Background()
	props, err := f.client.ObjectProperties(ctx, portal1, app.Products)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]app.HubSpotProperty{}
	for _, p := range props {
		byName[p.Name] = p
	}
	for name, typ := range map[string]string{"name": "string", "hs_sku": "string", "price": "number", "description": "string"} {
		if p, ok := byName[name]; !ok || p.Type != typ || p.ReadOnly {
			t.Errorf("product property %s = %+v (present %v), want a writable %s", name, p, ok, typ)
		}
	}
	if p := byName["hs_object_id"]; !p.ReadOnly {
		t.Errorf("hs_object_id = %+v, want read-only", p)
	}
	for _, ty := range []app.ObjectType{app.Contacts, app.Companies} {
		props, err := f.client.ObjectProperties(ctx, portal1, ty)
		if err != nil || !slices.ContainsFunc(props, func(p app.HubSpotProperty) bool { return p.Name == "name" || p.Name == "email" }) {
			t.Errorf("%s properties = %v, %v", ty, props, err)
		}
	}
	before := f.requests()
	_, err = f.client.ObjectProperties(ctx, portal1, app.Deals)
	wantCode(t, "deal properties", err, app.Invalid)
	if n := f.requests() - before; n != 0 {
		t.Errorf("an unsynced type made %d requests", n)
	}
}

func TestEnsureSyncProperties(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	ctx := context.Background()
	for i := 0; i < 2; i++ { // again: harmless
		for _, ty := range []app.ObjectType{app.Products, app.Contacts, app.Companies} {
			if err := f.client.EnsureSyncProperties(ctx, portal1, ty); err != nil {
				t.Fatalf("%s (%d): %v", ty, i, err)
			}
		}
	}
	for _, c := range []struct{ ty, name string }{{"products", app.ProductStatusProperty}, {"products", app.ProductKeyProperty},
		{"contacts", app.ContactStatusProperty}, {"companies", app.CompanyKeyProperty}} {
		if !f.srv.HasProperty(20000001, c.ty, c.name) {
			t.Errorf("%s has no %s", c.ty, c.name)
		}
	}
	if f.srv.HasProperty(20000002, "products", app.ProductKeyProperty) {
		t.Error("portal two got portal one's properties")
	}
	props, err := f.client.ObjectProperties(ctx, portal1, app.Products)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range props {
		if p.Name == app.ProductStatusProperty && (p.Type != "enumeration" || !slices.Equal(p.Options, []string{"active", "inactive"})) {
			t.Errorf("status property = %+v", p)
		}
	}
	// The key is unique: a second product with it is a conflict.
	key := app.ProductKey("9130357766900001", "77")
	id, err := f.client.CreateObject(ctx, portal1, app.Products, map[string]string{"name": "Keyed", app.ProductKeyProperty: key})
	if err != nil || id == "" {
		t.Fatalf("create keyed product: %q, %v", id, err)
	}
	_, err = f.client.CreateObject(ctx, portal1, app.Products, map[string]string{"name": "Keyed again", app.ProductKeyProperty: key})
	wantCode(t, "a second product with the key", err, app.Conflict)
}

func TestContactByEmailAndCompanyByName(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	ctx := context.Background()
	alice, acme := f.id(t, 20000001, "contacts", "alice"), f.id(t, 20000001, "companies", "acme")
	if id, err := f.client.ContactByEmail(ctx, portal1, " ap@acme.example "); err != nil || id != alice {
		t.Errorf("ContactByEmail = %q, %v; want %s", id, err, alice)
	}
	if id, err := f.client.ContactByEmail(ctx, portal1, "nobody@example.com"); err != nil || id != "" {
		t.Errorf("unknown email = %q, %v", id, err)
	}
	if id, err := f.client.FindCompany(ctx, portal1, "", "Acme Corporation"); err != nil || id != acme {
		t.Errorf("FindCompany by name = %q, %v; want %s", id, err, acme)
	}
	if id, err := f.client.FindCompany(ctx, portal1, "", "No Such Co"); err != nil || id != "" {
		t.Errorf("unknown company = %q, %v", id, err)
	}
	// Another portal's records are not found.
	if id, err := f.client.ContactByEmail(ctx, portal2, "ap@acme.example"); err != nil || id != "" {
		t.Errorf("portal two finds %q, %v", id, err)
	}
	before := f.requests()
	for _, blank := range []string{"", "  "} {
		if id, err := f.client.ContactByEmail(ctx, portal1, blank); err != nil || id != "" {
			t.Errorf("blank email = %q, %v", id, err)
		}
		if id, err := f.client.FindCompany(ctx, portal1, "", blank); err != nil || id != "" {
			t.Errorf("blank name = %q, %v", id, err)
		}
	}
	if n := f.requests() - before; n != 0 {
		t.Errorf("blank look-ups made %d requests", n)
	}
}

// TestFindCompanyByKey: a company the sync made is found by its key, at
// once and before any other of its name; before the key property exists
// the key finds nothing and the name decides.
func TestFindCompanyByKey(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{SearchPerSecond: 1000})
	ctx := context.Background()
	acme := f.id(t, 20000001, "companies", "acme")
	key := app.CompanyKey("9130357766900001", "Acme Corporation")
	if id, err := f.client.FindCompany(ctx, portal1, key, "Acme Corporation"); err != nil || id != acme {
		t.Errorf("before the key property: %q, %v; want %s by name", id, err, acme)
	}
	if err := f.client.EnsureSyncProperties(ctx, portal1, app.Companies); err != nil {
		t.Fatal(err)
	}
	keyed, err := f.client.CreateObject(ctx, portal1, app.Companies, map[string]string{"name": "Acme Corporation", app.CompanyKeyProperty: key})
	if err != nil {
		t.Fatal(err)
	}
	if id, err := f.client.FindCompany(ctx, portal1, key, "Acme Corporation"); err != nil || id != keyed {
		t.Errorf("by key = %q, %v; want %s", id, err, keyed)
	}
	if id, err := f.client.FindCompany(ctx, portal1, app.CompanyKey("9130357766900002", "Acme Corporation"), "Acme Corporation"); err != nil || id != acme {
		t.Errorf("another realm's key = %q, %v; want the oldest by name, %s", id, err, acme)
	}
}

// TestCreateCompanyAnswerLost: HubSpot makes the company but the answer is
// lost; the client's retry is refused for the key it carries (409
// Conflict), and one company exists, which the key finds.
func TestCreateCompanyAnswerLost(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	ctx := context.Background()
	if err := f.client.EnsureSyncProperties(ctx, portal1, app.Companies); err != nil {
		t.Fatal(err)
	}
	before := len(f.srv.Objects(20000001, "companies"))
	f.srv.AfterFaults().Inject(hubspotfake.RouteObjectsCreate+":companies", hubspotfake.Fault{Drop: true, Times: 1})
	key := app.CompanyKey("9130357766900001", "Zeta  Widgets")
	_, err := f.client.CreateObject(ctx, portal1, app.Companies, map[string]string{"name": "Zeta Widgets", app.CompanyKeyProperty: key})
	wantCode(t, "the retried create", err, app.Conflict)
	if n := len(f.srv.Objects(20000001, "companies")) - before; n != 1 {
		t.Errorf("%d companies made, want one", n)
	}
	if n := f.calls(hubspotfake.RouteObjectsCreate); n != 2 {
		t.Errorf("%d creates sent, want the first and its retry", n)
	}
	if id, err := f.client.FindCompany(ctx, portal1, app.CompanyKey("9130357766900001", "zeta widgets"), ""); err != nil || id == "" {
		t.Errorf("by key = %q, %v; want the company made", id, err)
	}
}

func TestFindProduct(t *testing.T) {
	// The fixture's clock stands still, so the fake's search window (5 a
	// second) would never roll over: raised for this many searches.
	f := newFixture(t, hubspotfake.Options{SearchPerSecond: 1000})
	ctx := context.Background()
	design, consulting := f.id(t, 20000001, "products", "design"), f.id(t, 20000001, "products", "consulting")
	key := app.ProductKey("9130357766900001", "42")
	// Before the key property exists: no product by key, then SKU, then name.
	for _, c := range []struct{ key, sku, name, want string }{
		{key, "DES-HR", "Whatever", design},
		{key, "", "Consulting", consulting},
		{key, "NOPE", "Consulting", consulting},
		{key, "NOPE", "Nothing", ""},
		{"", "", "", ""},
	} {
		if id, err := f.client.FindProduct(ctx, portal1, c.key, c.sku, c.name); err != nil || id != c.want {
			t.Errorf("FindProduct(%q, %q, %q) = %q, %v; want %q", c.key, c.sku, c.name, id, err, c.want)
		}
	}
	// The key wins over SKU and name once a product carries it.
	if err := f.client.EnsureSyncProperties(ctx, portal1, app.Products); err != nil {
		t.Fatal(err)
	}
	keyed, err := f.client.CreateObject(ctx, portal1, app.Products, map[string]string{"name": "Keyed", app.ProductKeyProperty: key})
	if err != nil {
		t.Fatal(err)
	}
	if id, err := f.client.FindProduct(ctx, portal1, key, "DES-HR", "Consulting"); err != nil || id != keyed {
		t.Errorf("by key = %q, %v; want %s", id, err, keyed)
	}
	if id, err := f.client.FindProduct(ctx, portal1, app.ProductKey("9130357766900001", "43"), "DES-HR", ""); err != nil || id != design {
		t.Errorf("another key = %q, %v; want %s by SKU", id, err, design)
	}
	// An archived product is not found.
	if err := f.client.ArchiveObject(ctx, portal1, app.Products, keyed); err != nil {
		t.Fatal(err)
	}
	if id, err := f.client.FindProduct(ctx, portal1, key, "", "Keyed"); err != nil || id != "" {
		t.Errorf("archived = %q, %v", id, err)
	}
}

func TestCreateUpdateArchiveObject(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	ctx := context.Background()
	id, err := f.client.CreateObject(ctx, portal1, app.Contacts, map[string]string{"email": "zed@zeta.example", "firstname": "Zed"})
	if err != nil {
		t.Fatal(err)
	}
	if p, live := f.srv.Object(20000001, "contacts", id); !live || p["firstname"] != "Zed" || p["email"] != "zed@zeta.example" {
		t.Errorf("created contact = %v, live %v", p, live)
	}
	_, err = f.client.CreateObject(ctx, portal1, app.Contacts, map[string]string{"email": "zed@zeta.example"})
	wantCode(t, "a second contact with the email", err, app.Conflict)

	if err := f.client.UpdateObject(ctx, portal1, app.Contacts, id, map[string]string{"firstname": "Zedd", "lastname": "Zimmer"}); err != nil {
		t.Fatal(err)
	}
	if err := f.client.UpdateObject(ctx, portal1, app.Contacts, id, map[string]string{"lastname": ""}); err != nil {
		t.Fatal(err)
	}
	if p, _ := f.srv.Object(20000001, "contacts", id); p["firstname"] != "Zedd" || p["lastname"] != "" {
		t.Errorf("updated contact = %v", p)
	}
	before := f.calls(hubspotfake.RouteObjectsUpdate)
	if err := f.client.UpdateObject(ctx, portal1, app.Contacts, id, nil); err != nil {
		t.Error(err)
	}
	if n := f.calls(hubspotfake.RouteObjectsUpdate) - before; n != 0 {
		t.Errorf("an empty update made %d requests", n)
	}

	company, err := f.client.CreateObject(ctx, portal1, app.Companies, map[string]string{"name": "Zeta Widgets"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.client.ArchiveObject(ctx, portal1, app.Companies, company); err != nil {
		t.Fatal(err)
	}
	if _, live := f.srv.Object(20000001, "companies", company); live {
		t.Error("the company was not archived")
	}
	if err := f.client.ArchiveObject(ctx, portal1, app.Companies, company); err != nil {
		t.Errorf("archiving again: %v", err)
	}
	err = f.client.UpdateObject(ctx, portal1, app.Companies, company, map[string]string{"name": "X"})
	wantCode(t, "updating an archived company", err, app.NotFound)
	err = f.client.UpdateObject(ctx, portal1, app.Products, "999999999", map[string]string{"name": "X"})
	wantCode(t, "updating an unknown product", err, app.NotFound)

	before = f.requests()
	_, err = f.client.CreateObject(ctx, portal1, app.Deals, map[string]string{"dealname": "X"})
	wantCode(t, "creating a deal", err, app.Invalid)
	wantCode(t, "updating a bad id", f.client.UpdateObject(ctx, portal1, app.Products, "12a", map[string]string{"name": "X"}), app.Invalid)
	wantCode(t, "archiving a bad id", f.client.ArchiveObject(ctx, portal1, app.Contacts, ""), app.Invalid)
	wantCode(t, "updating a quote", f.client.UpdateObject(ctx, portal1, "quotes", "1", map[string]string{"x": "y"}), app.Invalid)
	if n := f.requests() - before; n != 0 {
		t.Errorf("refused calls made %d requests", n)
	}
}

func TestAssociatePrimaryCompany(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	ctx := context.Background()
	amy, acme := f.id(t, 20000001, "contacts", "amy"), f.id(t, 20000001, "companies", "acme")
	for i := 0; i < 2; i++ { // repeating it is harmless
		if err := f.client.AssociatePrimaryCompany(ctx, portal1, amy, acme); err != nil {
			t.Fatalf("associate (%d): %v", i, err)
		}
	}
	got := f.srv.Associations(20000001, "contacts", amy, "companies")
	if len(got) != 1 || !slices.Contains(got[acme], 1) {
		t.Errorf("Amy's companies = %v, want %s with type 1 (primary)", got, acme)
	}
	err := f.client.AssociatePrimaryCompany(ctx, portal1, "999999999", acme)
	wantCode(t, "an unknown contact", err, app.NotFound)
	before := f.requests()
	wantCode(t, "a bad contact id", f.client.AssociatePrimaryCompany(ctx, portal1, "x", acme), app.Invalid)
	wantCode(t, "a bad company id", f.client.AssociatePrimaryCompany(ctx, portal1, amy, ""), app.Invalid)
	if n := f.requests() - before; n != 0 {
		t.Errorf("refused calls made %d requests", n)
	}
}
