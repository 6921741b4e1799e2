// Command mail-poll imports the support mailbox (IMAP) into the helpdesk
// on an EventBridge schedule: replies join their tickets, new mail opens
// tickets, bounces flag addresses. It runs one at a time (reserved
// concurrency 1); a message is known by its Message-ID, so a run cut short
// is finished by the next.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/app/awsnotify"
	"github.com/ezscale/platform/shared/app/lambdaenv"
	"github.com/ezscale/platform/shared/app/mailpoll"
)

func main() {
	env := lambdaenv.MustLoad("mail-poll")
	// Acknowledgements and refusals are notifications: sealed, queued.
	ad := lambdaenv.Must(awsnotify.Adapters(env))
	lambda.Start(mailpoll.Handler(env.Platform(ad)))
}
