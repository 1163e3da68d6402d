// Package fakekit holds the plumbing shared by the sandbox fakes of
// QuickBooks Online and HubSpot: injected faults, request counters,
// rate windows and concurrency slots, an in-process http.RoundTripper that
// routes the real API hosts to a fake without a socket, and a loopback
// listener. It knows nothing of either API's wire format; each fake decides
// what a fault, a counter or a limit means for its own routes.
//
// Like the fakes, it is product code: it never imports the testing package.
package fakekit
