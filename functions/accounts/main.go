// Command accounts is the accounts API Lambda function (HTTP API payload v2).
package main

import (
	"github.com/ezscale/platform/shared/api/httpapi"
	"github.com/ezscale/platform/shared/app"
)

func main() { app.RunHTTP(httpapi.FnAccounts) }
