package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/app/lambdaenv"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/config"
)

func main() {
	table := flag.String("table", "", "the deployed table (the stack's TableName output)")
	email := flag.String("email", "", "the account to make admin")
	flag.Parse()
	if *table == "" || *email == "" {
		flag.Usage()
		os.Exit(2)
	}
	cfg, err := lambdaenv.AWSConfig(config.FromOS(os.Environ()))
	if err != nil {
		fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tbl := dynamo.New(dynamo.NewClient(cfg), *table, clock.System{})
	u, err := promote(ctx, dynamo.NewAccounts(tbl), dynamo.NewAudit(tbl), *email, time.Now().UTC())
	if err != nil {
		fail(err)
	}
	fmt.Printf("%s (%s) is now admin: sign in to the console with the password and the second factor.\n", u.Email, u.ID)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "firstadmin:", err)
	os.Exit(1)
}
