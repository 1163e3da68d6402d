package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// decodeJSON reads the body into v strictly: JSON content type, exactly one
// object, no unknown fields, and a message per failure that names the field.
// Card routes get their idempotency keys this way too, since hubspot.fetch
// cannot set headers.
func decodeJSON(c echo.Context, v any) error {
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != echo.MIMEApplicationJSON {
			return app.Errorf(app.Invalid, "The request body must be JSON (Content-Type: application/json).")
		}
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return app.Errorf(app.Invalid, "The request body is empty; a JSON object is required.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return app.Wrapf(err, app.Invalid, "%s", describeJSONError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return app.Errorf(app.Invalid, "The request body must hold exactly one JSON object.")
	}
	return nil
}

func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("The request body is not valid JSON (at byte %d).", syntax.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return fmt.Sprintf("The request body must be a JSON %s, not %s.", "object", typ.Value)
		}
		return fmt.Sprintf("The field %q must be %s, not %s.", field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "The request body ends before the JSON does."
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Sprintf("The field %s is not part of this request.", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return "The request body could not be read as JSON."
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return "a number"
}
