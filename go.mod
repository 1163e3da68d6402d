module github.com/hubspot-quickbooks/hubspot-quickbooks

go 1.26.8

require (
	github.com/clarkmcc/go-hubspot v0.0.0-20240203002710-abe38a19e3dd // indirect
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/rwestlund/quickbooks-go v1.0.1-0.20240508185659-47399ba54dc8 // indirect
	golang.org/x/oauth2 v0.19.0 // indirect
	gopkg.in/guregu/null.v4 v4.0.0 // indirect
)
