// Package bwsync runs bandwidth metering against ElastiFlow: the
// bandwidth-sync function's schedule and the local stack's timer. It is
// apart from package app so that only they link the Elasticsearch client.
package bwsync

import (
	"context"
	"net/http"

	"github.com/ezscale/platform/shared/adapters/elasticflow"
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/domain/bandwidth"
)

// Source is the configured flow source; nil without ELASTICSEARCH_URL.
func Source(p *app.Platform, transport http.RoundTripper) (*elasticflow.Source, error) {
	c := p.Config
	if c.ElasticsearchURL == "" {
		return nil, nil
	}
	return elasticflow.New(elasticflow.Config{URL: c.ElasticsearchURL, Username: c.ElasticsearchUsername, Password: c.ElasticsearchPassword,
		Index: c.ElastiflowIndex, Exporters: c.ElastiflowExporters, Transport: transport})
}

// Run is one sync, alert and billing run with src; a nil src does nothing.
func Run(ctx context.Context, p *app.Platform, src bandwidth.Source) (bandwidth.Report, error) {
	if src == nil {
		return bandwidth.Report{}, nil
	}
	m := *p.Bandwidth
	m.Source = src
	return m.Run(ctx)
}
