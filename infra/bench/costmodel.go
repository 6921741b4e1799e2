package main

import (
	"fmt"
	"strings"
)

// Prices: AWS list prices in us-east-1 (on-demand, arm64 Lambda), free
// tiers left out. Change them here when AWS does.
var price = struct {
	lambdaGBs, lambdaReq, httpAPIReq, ddbWRU, ddbRRU, ddbGBMonth, sfnTransition, sqsReq,
	s3GBMonth, s3Put, cfGB, cfReq, logsGB, sesMail, kmsReq float64
}{
	lambdaGBs: 0.0000133334, lambdaReq: 0.20 / 1e6, httpAPIReq: 1.00 / 1e6,
	ddbWRU: 0.625 / 1e6, ddbRRU: 0.125 / 1e6, ddbGBMonth: 0.25,
	sfnTransition: 25.0 / 1e6, sqsReq: 0.40 / 1e6,
	s3GBMonth: 0.023, s3Put: 0.005 / 1000, cfGB: 0.085, cfReq: 0.01 / 10000,
	logsGB: 0.50, sesMail: 0.10 / 1000, kmsReq: 0.03 / 10000,
}

// assumptions are how customers behave; each is printed with the bill.
type assumptions struct {
	servicesPerCustomer float64 // monthly renewals per customer
	visitsPerCustomer   float64 // client-area visits a month
	mailsPerRenewal     float64 // receipt and reminders
	webhooksPerRenewal  float64 // Stripe events a renewal sends
	newServicesShare    float64 // share of services bought or replaced each month
	transitionsPerNew   float64 // provisioning workflow transitions (provisioning.asl.json, happy path with polls)
	panelCallsPerNew    float64 // measured by make bench: 6–15 by panel
	dunningShare        float64 // renewals that fail and start dunning
	transitionsDunning  float64
	lambdaMsAPI         float64 // billed duration of an API request (DynamoDB round trips dominate)
	lambdaMsWorker      float64
	kbPerItemStored     float64 // table bytes per service (orders, invoices, ledger, logs, bandwidth days)
	pdfKB               float64
	pageKB              float64 // what a visit downloads from CloudFront (assets cached by the browser)
	logKBPerInvocation  float64
}

var assume = assumptions{
	servicesPerCustomer: 1.3, visitsPerCustomer: 4, mailsPerRenewal: 1.5, webhooksPerRenewal: 4, newServicesShare: 0.05,
	transitionsPerNew: 30, panelCallsPerNew: 9, dunningShare: 0.05, transitionsDunning: 25,
	lambdaMsAPI: 40, lambdaMsWorker: 150, kbPerItemStored: 150, pdfKB: 35, pageKB: 600, logKBPerInvocation: 1.5,
}

type bill struct {
	lines []billLine
}

type billLine struct {
	name string
	usd  float64
	how  string
}

func (b *bill) add(name string, usd float64, how string, a ...any) {
	b.lines = append(b.lines, billLine{name, usd, fmt.Sprintf(how, a...)})
}

func (b *bill) total() (t float64) {
	for _, l := range b.lines {
		t += l.usd
	}
	return t
}

// monthly is the AWS bill for customers, from what one of each event was
// measured to cost and the assumptions.
func monthly(customers float64, m measured, bw bandwidthMeasure, a assumptions) *bill {
	b := &bill{}
	services := customers * a.servicesPerCustomer
	renewals := services
	visits := customers * a.visitsPerCustomer
	apiReq := visits*float64(m.sessionRequests) + renewals*a.webhooksPerRenewal
	newServices := services * a.newServicesShare
	// Workers: the outbox per burst of writes, the notifier per mail, the
	// panel worker per call, the workflows' tasks, the schedules.
	mails := renewals * a.mailsPerRenewal
	schedules := 30*24*60/2.0 + 30*24*12 + 30*24 + 30 // mail poll, outbox sweep, bandwidth, daily
	workerInv := renewals*2 + mails + newServices*(a.panelCallsPerNew+a.transitionsPerNew/3) + renewals*a.dunningShare*6 + schedules
	gbs := 0.256 * (apiReq*a.lambdaMsAPI + workerInv*a.lambdaMsWorker) / 1000
	// Bandwidth: per service and hour, today's day item and the threshold
	// check's reads; the daily close once more.
	bwWRU := services * (24*30*bw.wruPerServiceRun + 30*bw.wruPerServiceRun)
	bwRRU := services * 24 * 30 * bw.rruPerServiceRun
	wru := renewals*m.paymentWRU + visits*m.sessionWRU + bwWRU
	rru := renewals*m.paymentRRU + visits*m.sessionRRU + bwRRU
	storedGB := services * a.kbPerItemStored / 1e6
	b.add("Lambda", gbs*price.lambdaGBs+(apiReq+workerInv)*price.lambdaReq, "%.0f invocations (%.0f API, %.0f workers and schedules), %.0f GB-s at 256 MB", apiReq+workerInv, apiReq, workerInv, gbs)
	b.add("API Gateway (HTTP API)", apiReq*price.httpAPIReq, "%.0f requests", apiReq)
	b.add("DynamoDB (on demand)", wru*price.ddbWRU+rru*price.ddbRRU+storedGB*price.ddbGBMonth+storedGB*0.20,
		"%.1fM write units (bandwidth %.1fM), %.1fM read units, %.2f GB stored with point-in-time recovery", wru/1e6, bwWRU/1e6, rru/1e6, storedGB)
	b.add("Step Functions", (newServices*a.transitionsPerNew+renewals*a.dunningShare*a.transitionsDunning)*price.sfnTransition,
		"%.0f transitions (provisioning %.0f services, dunning %.0f renewals)", newServices*a.transitionsPerNew+renewals*a.dunningShare*a.transitionsDunning, newServices, renewals*a.dunningShare)
	b.add("SQS", (mails*3+newServices*a.panelCallsPerNew*3)*price.sqsReq, "%.0f requests (send, receive, delete per message)", mails*3+newServices*a.panelCallsPerNew*3)
	b.add("S3", renewals*(price.s3Put+a.pdfKB/1e6*price.s3GBMonth*6), "%.0f invoice PDFs written (kept 6 months on average here)", renewals)
	b.add("CloudFront", visits*a.pageKB/1e6*price.cfGB+visits*10*price.cfReq, "%.0f visits, %.1f GB", visits, visits*a.pageKB/1e6)
	b.add("CloudWatch Logs", (apiReq+workerInv)*a.logKBPerInvocation/1e6*price.logsGB, "%.1f GB ingested", (apiReq+workerInv)*a.logKBPerInvocation/1e6)
	b.add("SES", mails*price.sesMail, "%.0f e-mails", mails)
	b.add("KMS", 1+workerInv*price.kmsReq*2, "one key, data keys at cold starts and seals")
	return b
}

// bandwidthMeasure is what the meter costs per service and run, from
// make bench's day close.
type bandwidthMeasure struct{ wruPerServiceRun, rruPerServiceRun float64 }

func printCost(m measured, bw bandwidthMeasure) {
	fmt.Println("Cost model (make cost): the monthly AWS bill, us-east-1 list prices, no free tier")
	fmt.Println("  measured here (in process, DynamoDB capacity estimated from item sizes):")
	fmt.Printf("    a paid invoice with its effects        %.1f write units, %.1f read units\n", m.paymentWRU, m.paymentRRU)
	fmt.Printf("    a client-area visit (%d requests)       %.1f write units, %.1f read units\n", m.sessionRequests, m.sessionWRU, m.sessionRRU)
	fmt.Printf("    bandwidth, per service and hourly run  %.2f write units, %.2f read units\n", bw.wruPerServiceRun, bw.rruPerServiceRun)
	a := assume
	fmt.Printf("  assumed: %.1f services a customer renewing monthly, %.0f visits a month, %.0f webhooks and %.1f e-mails a renewal,\n", a.servicesPerCustomer, a.visitsPerCustomer, a.webhooksPerRenewal, a.mailsPerRenewal)
	fmt.Printf("    %.0f%% of services new each month (%.0f workflow transitions, %.0f panel calls each), %.0f%% of renewals in dunning,\n", a.newServicesShare*100, a.transitionsPerNew, a.panelCallsPerNew, a.dunningShare*100)
	fmt.Printf("    %.0f ms billed per API request, %.0f ms per worker run, %.0f KB a visit from CloudFront\n\n", a.lambdaMsAPI, a.lambdaMsWorker, a.pageKB)
	sizes := []float64{1000, 10000, 100000}
	bills := make([]*bill, len(sizes))
	for i, n := range sizes {
		bills[i] = monthly(n, m, bw, a)
	}
	fmt.Printf("  %-24s %12s %12s %12s\n", "customers", "1,000", "10,000", "100,000")
	for j, l := range bills[0].lines {
		fmt.Printf("  %-24s %12s %12s %12s\n", l.name, usd(l.usd), usd(bills[1].lines[j].usd), usd(bills[2].lines[j].usd))
	}
	fmt.Printf("  %-24s %12s %12s %12s\n", strings.Repeat("-", 24), "", "", "")
	fmt.Printf("  %-24s %12s %12s %12s\n", "total a month", usd(bills[0].total()), usd(bills[1].total()), usd(bills[2].total()))
	fmt.Printf("  %-24s %12s %12s %12s\n\n", "per customer", usd(bills[0].total()/1000), usd(bills[1].total()/10000), usd(bills[2].total()/100000))
	fmt.Println("  anchor: WHMCS for 250–1,000 clients is $24.95 a month plus the server it runs on (a $40 VPS: $64.95);")
	fmt.Println("  WHMCS prices larger tiers separately. Payment fees (Stripe, PayPal) are the same either way and left out.")
	fmt.Println("  at 100,000 customers (the largest line):")
	for _, l := range bills[2].lines {
		fmt.Printf("    %-22s %s\n", l.name, l.how)
	}
	fmt.Println()
}

func usd(v float64) string {
	if v < 0.1 {
		return fmt.Sprintf("$%.4f", v)
	}
	if v < 10 {
		return fmt.Sprintf("$%.2f", v)
	}
	return fmt.Sprintf("$%.0f", v)
}
