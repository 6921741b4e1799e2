// Command webhooks is the payment gateways' webhook endpoint Lambda function
// (HTTP API payload v2): it verifies each delivery and records it together
// with its state change and outbox items.
package main

import (
	"github.com/ezscale/platform/shared/api/httpapi"
	"github.com/ezscale/platform/shared/app"
)

func main() { app.RunHTTP(httpapi.FnWebhooks) }
