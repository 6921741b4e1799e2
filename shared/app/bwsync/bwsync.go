// Package bwsync runs bandwidth metering against ElastiFlow: the
// bandwidth-sync function's schedule and the local stack's timer. It is
// apart from package app so that only they link the Elasticsearch client.
package bwsync

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/ezscale/platform/shared/adapters/elasticflow"
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/domain/bandwidth"
)

// Source is the configured flow source; nil (an untyped nil, which Run
// takes for "not configured") without ELASTICSEARCH_URL.
func Source(p *app.Platform, transport http.RoundTripper) (bandwidth.Source, error) {
	c := p.Config
	if c.ElasticsearchURL == "" {
		return nil, nil
	}
	src, err := elasticflow.New(elasticflow.Config{URL: c.ElasticsearchURL, Username: c.ElasticsearchUsername, Password: c.ElasticsearchPassword,
		Index: c.ElastiflowIndex, Exporters: c.ElastiflowExporters, Transport: transport})
	if err != nil {
		return nil, err
	}
	return src, nil
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

// Handler is the bandwidth-sync function's: one Run per scheduled event.
// Each run writes an embedded-metric line to metrics (stdout in Lambda),
// which the "day stays open" alarm watches.
func Handler(p *app.Platform, src bandwidth.Source, metrics io.Writer) func(context.Context, json.RawMessage) (map[string]any, error) {
	return func(ctx context.Context, _ json.RawMessage) (map[string]any, error) {
		rep, err := Run(ctx, p, src)
		if metrics != nil {
			emf, _ := json.Marshal(map[string]any{"_aws": map[string]any{"Timestamp": time.Now().UnixMilli(), "CloudWatchMetrics": []any{
				map[string]any{"Namespace": "EZSCALE/Bandwidth", "Dimensions": [][]string{{"Stage"}}, "Metrics": []any{map[string]any{"Name": "OpenDays", "Unit": "Count"}}}}},
				"Stage": p.Config.Stage, "OpenDays": len(rep.Failed)})
			fmt.Fprintln(metrics, string(emf))
		}
		p.Log.InfoContext(ctx, "bandwidth sync", "days", rep.Days, "closed", rep.Closed, "failed", rep.Failed, "services", rep.Services, "alerts", rep.Alerts, "billed", rep.Billed)
		out := map[string]any{"days": rep.Days, "closed": rep.Closed, "failed": rep.Failed, "services": rep.Services, "alerts": rep.Alerts, "billed": rep.Billed}
		if err != nil {
			return out, fmt.Errorf("bandwidth sync: %w", err)
		}
		return out, nil
	}
}
