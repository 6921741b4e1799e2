package deploy_test

import (
	"slices"
	"sort"
	"testing"

	"gopkg.in/yaml.v3"
)

// Every log group keeps its logs for the stage's retention (or the
// LogRetentionDays override), and the trace query reads every function's
// and workflow's group, so a new one cannot be left out of either.
func TestLogGroupsHaveRetentionAndAreTraced(t *testing.T) {
	tpl := load(t)
	var groups []string
	for id, r := range tpl.Resources {
		if r.Type != "AWS::Logs::LogGroup" {
			continue
		}
		var props struct {
			RetentionInDays yaml.Node `yaml:"RetentionInDays"`
		}
		if err := r.Properties.Decode(&props); err != nil {
			t.Fatal(err)
		}
		n := props.RetentionInDays
		if n.Tag != "!If" || len(n.Content) != 3 || n.Content[0].Value != "StageLogRetention" || n.Content[1].Tag != "!FindInMap" {
			t.Errorf("%s: RetentionInDays must be the stage's (!If [StageLogRetention, !FindInMap [Stages, !Ref Stage, LogRetentionDays], !Ref LogRetentionDays])", id)
		}
		if id != "HttpApiAccessLogs" { // API Gateway's own access log: no request_id field
			groups = append(groups, id)
		}
	}
	var q struct {
		LogGroupNames []yaml.Node `yaml:"LogGroupNames"`
	}
	tq := tpl.Resources["TraceQuery"].Properties
	if err := tq.Decode(&q); err != nil {
		t.Fatal(err)
	}
	var traced []string
	for _, n := range q.LogGroupNames {
		traced = append(traced, n.Value)
	}
	sort.Strings(groups)
	sort.Strings(traced)
	if !slices.Equal(groups, traced) {
		t.Fatalf("TraceQuery reads %v, the log groups are %v", traced, groups)
	}
}
