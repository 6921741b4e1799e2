package app_test

import (
	"fmt"
	"net/url"

	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

type sqstypesAttr = sqstypes.QueueAttributeName

func fmtSscan(s string, n *int) (int, error) { return fmt.Sscan(s, n) }

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
