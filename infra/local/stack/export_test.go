package stack

import "context"

// BuyDemoServiceForTest runs the demo purchase step on its own.
func (s *Stack) BuyDemoServiceForTest(ctx context.Context) error { return s.buyDemoService(ctx) }
