package app

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// LambdaHandler serves one function's routes from API Gateway HTTP API
// (payload v2) events. API Gateway's request id becomes ours, so a log line
// and the gateway's access log join on the same id.
func (p *Platform) LambdaHandler(function string) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	h := p.Handler(function)
	adapter := httpadapter.NewV2(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && rc.RequestID != "" {
			r.Header.Set("X-Request-Id", rc.RequestID)
		}
		h.ServeHTTP(w, r)
	}))
	return adapter.ProxyWithContext
}
