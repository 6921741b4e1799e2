// Command mail-poll imports the support mailbox (IMAP) into the helpdesk
// on an EventBridge schedule: replies join their tickets, new mail opens
// tickets, bounces flag addresses. It runs one at a time (reserved
// concurrency 1); a message is known by its Message-ID, so a run cut short
// is finished by the next.
package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/adapters/kmskeys"
	"github.com/ezscale/platform/shared/app/awsnotify"
	"github.com/ezscale/platform/shared/app/lambdaenv"
	"github.com/ezscale/platform/shared/app/mailpoll"
)

func main() {
	env := lambdaenv.MustLoad("mail-poll")
	ad := lambdaenv.Must(lambdaenv.Adapters(env))
	// Acknowledgements and refusals are notifications: sealed, queued.
	ad.Keys = lambdaenv.Must(kmskeys.Configured(env.AWS, env.Config.KMSKeyID, env.Config.LocalKeyFile))
	awsnotify.Wire(env, &ad)
	p := env.Platform(ad)
	lambda.Start(func(ctx context.Context, _ json.RawMessage) (map[string]int, error) {
		st, err := mailpoll.Poll(ctx, p)
		out := map[string]int{"mailboxes": st.Mailboxes, "imported": st.Imported, "reset": st.Reset}
		p.Log.InfoContext(ctx, "mail poll", "mailboxes", st.Mailboxes, "imported", st.Imported, "reset", st.Reset)
		if err != nil {
			return out, fmt.Errorf("mail poll: %w", err)
		}
		return out, nil
	})
}
