package app_test

import (
	"fmt"

	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

type sqstypesAttr = sqstypes.QueueAttributeName

func fmtSscan(s string, n *int) (int, error) { return fmt.Sscan(s, n) }
