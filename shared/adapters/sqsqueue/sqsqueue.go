// Package sqsqueue carries notification ids on Amazon SQS. The notifier
// Lambda consumes the queue; failed deliveries are redriven to a DLQ by the
// queue's redrive policy (template.yaml), where an alarm watches.
package sqsqueue

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ezscale/platform/shared/domain/notify"
)

// API is the part of the SQS client used here.
type API interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// Queue implements notify.Queue on one SQS queue.
type Queue struct {
	api API
	url string
}

var _ notify.Queue = (*Queue)(nil)

// New returns a queue for the URL.
func New(api API, url string) *Queue { return &Queue{api: api, url: url} }

// Enqueue implements notify.Queue.
func (q *Queue) Enqueue(ctx context.Context, id string) error {
	_, err := q.api.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q.url), MessageBody: aws.String(id)})
	if err != nil {
		return fmt.Errorf("sqs send %s: %w", id, err)
	}
	return nil
}

// Delay makes a received message visible again after seconds (clamped to
// SQS's 12-hour maximum): the backoff for a retry.
func (q *Queue) Delay(ctx context.Context, receiptHandle string, seconds int32) error {
	seconds = min(max(seconds, 0), 43200)
	_, err := q.api.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(q.url), ReceiptHandle: aws.String(receiptHandle), VisibilityTimeout: seconds,
	})
	if err != nil {
		return fmt.Errorf("sqs change visibility: %w", err)
	}
	return nil
}
