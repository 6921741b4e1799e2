package paypalgw

import "github.com/ezscale/platform/shared/domain/gateway"

// Decode is decode for the fuzz test (the body of a verified delivery).
func (g *Gateway) Decode(body []byte) (*gateway.Event, error) { return g.decode(body) }
