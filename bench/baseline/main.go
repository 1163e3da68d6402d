// Command baseline is the load test's yardstick: a bare Echo handler that
// checks the same HubSpot v3 signature as the card API and answers a JSON
// body of the same size from memory. The card's throughput is reported as a
// share of this one's (README: Performance).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/server"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "listen address")
	secret := flag.String("secret", "sandbox-hubspot-client-secret", "HubSpot client secret")
	answer := flag.String("answer", "", "file whose bytes every request is answered with (a card answer)")
	flag.Parse()
	body, err := os.ReadFile(*answer)
	if err != nil {
		log.Fatalf("baseline: read --answer: %v", err)
	}
	public := "http://" + *addr

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/*", func(c echo.Context) error {
		req := c.Request()
		raw, err := io.ReadAll(req.Body)
		if err != nil {
			return err
		}
		req.Body = io.NopCloser(bytes.NewReader(raw))
		if err := server.VerifyHubSpotSignature(*secret, time.Now(), req.Method, public+req.RequestURI, raw,
			req.Header.Get("X-HubSpot-Signature-v3"), req.Header.Get("X-HubSpot-Request-Timestamp")); err != nil {
			return c.JSON(http.StatusUnauthorized, map[string]string{"error": err.Error()})
		}
		return c.JSONBlob(http.StatusOK, body)
	})
	fmt.Fprintln(os.Stderr, "baseline listening on", public)
	log.Fatal(e.Start(*addr))
}
