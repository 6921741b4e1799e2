// Package app wires the platform: store → domain services → HTTP handlers.
// Every Lambda entry point, the local stack and the end-to-end tests build
// the platform through here, so they all run the same graph.
package app

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/ezscale/platform/shared/apperr"
	"github.com/ezscale/platform/shared/catalog"
	"github.com/ezscale/platform/shared/clock"
	"github.com/ezscale/platform/shared/config"
	"github.com/ezscale/platform/shared/dynamo"
	"github.com/ezscale/platform/shared/envelope"
	"github.com/ezscale/platform/shared/httpapi"
	"github.com/ezscale/platform/shared/httpx"
)

// Platform owns the wired services.
type Platform struct {
	Config  config.Config
	Log     *slog.Logger
	Clock   clock.Clock
	Table   *dynamo.Table
	Sealer  *envelope.Sealer
	Catalog *catalog.Service
}

// New wires the platform on a DynamoDB API and a key wrapper.
func New(cfg config.Config, api dynamo.API, keys envelope.KeyWrapper, log *slog.Logger, clk clock.Clock) *Platform {
	tbl := dynamo.New(api, cfg.TableName, clk)
	return &Platform{
		Config:  cfg,
		Log:     log,
		Clock:   clk,
		Table:   tbl,
		Sealer:  envelope.New(keys),
		Catalog: catalog.NewService(dynamo.NewPlans(tbl), clk, cfg.LowStockThreshold),
	}
}

// Deps returns the HTTP handlers' dependencies.
func (p *Platform) Deps() httpapi.Deps {
	return httpapi.Deps{
		Log:         p.Log,
		Stage:       p.Config.Stage,
		Catalog:     p.Catalog,
		Ping:        p.ping,
		AdminSecret: p.Config.AdminAPISecret,
	}
}

// Router returns the routes of one function ("" for all of them).
func (p *Platform) Router(function string) *httpx.Router {
	return httpapi.Router(p.Deps(), function)
}

// Handler returns the routes of one function wrapped in the standard
// middleware ("" serves every function, as the local stack does).
func (p *Platform) Handler(function string) http.Handler {
	return httpx.Wrap(p.Router(function), httpx.Options{
		Log: p.Log, Origins: p.Config.WebOrigins, MaxBodyBytes: p.Config.MaxBodyBytes,
	})
}

// ping reads a key that never exists: NotFound proves the table answers.
func (p *Platform) ping(ctx context.Context) error {
	err := p.Table.Get(ctx, dynamo.Key{PK: "HEALTH", SK: "HEALTH"}, &dynamo.Item{})
	if err == nil || apperr.Is(err, apperr.NotFound) {
		return nil
	}
	return err
}
