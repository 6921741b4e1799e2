// Command admin is the admin API Lambda function (HTTP API payload v2).
package main

import (
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/httpapi"
)

func main() { app.RunHTTP(httpapi.FnAdmin) }
