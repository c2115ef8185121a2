package awssm_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/tokenstore-go/tokenstore/awssm"
)

// smScript runs the raw calls of smSteps against one server. Outcomes are
// strings that hold no name, ARN or token of the run: "ok" and what the
// step observed, or the API error code.
type smScript struct {
	api  awssm.API
	p    string            // prefix of every name the script makes
	arns map[string]string // ARNs steps saved, by label
}

// smTok are the ClientRequestTokens of the script, by label: t1 to t6.
var smTok = func() map[string]string {
	m := make(map[string]string)
	for i := 1; i <= 6; i++ {
		m[fmt.Sprint("t", i)] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
	}
	return m
}()

func smTokID(label string) *string { return aws.String(smTok[label]) }

// smLabel returns the label of a token of the script, "other" for any
// other, "none" for nil.
func smLabel(id *string) string {
	if id == nil {
		return "none"
	}
	for l, t := range smTok {
		if aws.ToString(id) == t {
			return l
		}
	}
	return "other"
}

func (r *smScript) id(name string) *string { return aws.String(r.p + name) }

// smOutcome is "ok" followed by facts, or err's API error code.
func smOutcome(err error, facts ...string) string {
	if err == nil {
		return strings.Join(append([]string{"ok"}, facts...), " ")
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "error: " + err.Error()
}

// arnFact says whether arn has the shape of the ARN of secret name, and
// whether it is the one saved under key (saving it when key is new).
func (r *smScript) arnFact(arn *string, name, key string) string {
	a := aws.ToString(arn)
	head := ":secret:" + r.p + name + "-"
	if !strings.HasPrefix(a, "arn:aws:secretsmanager:") || len(a) < 6 || !strings.HasSuffix(a[:len(a)-6], head) {
		return "bad-arn"
	}
	if old, ok := r.arns[key]; ok {
		if old == a {
			return "same-arn"
		}
		return "other-arn"
	}
	r.arns[key] = a
	return "arn"
}

// create creates name and reports its ARN as arnFact does under arnKey.
func (r *smScript) create(ctx context.Context, name, value, token, arnKey string) string {
	out, err := r.api.CreateSecret(ctx, &sm.CreateSecretInput{Name: r.id(name), SecretString: aws.String(value), ClientRequestToken: smTokID(token)})
	if err != nil {
		return smOutcome(err)
	}
	return smOutcome(nil, smLabel(out.VersionId), r.arnFact(out.ARN, name, arnKey))
}

func (r *smScript) put(ctx context.Context, id *string, value, token string) string {
	out, err := r.api.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: id, SecretString: aws.String(value), ClientRequestToken: smTokID(token)})
	if err != nil {
		return smOutcome(err)
	}
	return smOutcome(nil, smLabel(out.VersionId), fmt.Sprint(out.VersionStages))
}

func (r *smScript) get(ctx context.Context, in *sm.GetSecretValueInput) string {
	out, err := r.api.GetSecretValue(ctx, in)
	if err != nil {
		return smOutcome(err)
	}
	dated := "dated"
	if d := time.Since(aws.ToTime(out.CreatedDate)); d < -time.Hour || d > time.Hour {
		dated = "undated"
	}
	return smOutcome(nil, aws.ToString(out.SecretString), smLabel(out.VersionId), fmt.Sprint(out.VersionStages), dated)
}

func (r *smScript) getName(ctx context.Context, name string) string {
	return r.get(ctx, &sm.GetSecretValueInput{SecretId: r.id(name)})
}

func (r *smScript) del(ctx context.Context, id *string, window int64, force bool) string {
	in := &sm.DeleteSecretInput{SecretId: id}
	if window != 0 {
		in.RecoveryWindowInDays = aws.Int64(window)
	}
	if force {
		in.ForceDeleteWithoutRecovery = aws.Bool(true)
	}
	out, err := r.api.DeleteSecret(ctx, in)
	if err != nil || force {
		return smOutcome(err)
	}
	days := math.Round(time.Until(aws.ToTime(out.DeletionDate)).Hours() / 24)
	return smOutcome(nil, fmt.Sprintf("in-%gd", days))
}

func (r *smScript) restore(ctx context.Context, name string) string {
	_, err := r.api.RestoreSecret(ctx, &sm.RestoreSecretInput{SecretId: r.id(name)})
	return smOutcome(err)
}

// batch reads names in one BatchGetSecretValue.
func (r *smScript) batch(ctx context.Context, names ...string) string {
	in := &sm.BatchGetSecretValueInput{}
	for _, n := range names {
		in.SecretIdList = append(in.SecretIdList, r.p+n)
	}
	out, err := r.api.BatchGetSecretValue(ctx, in)
	if err != nil {
		return smOutcome(err)
	}
	var vals, errs []string
	for _, v := range out.SecretValues {
		vals = append(vals, strings.TrimPrefix(aws.ToString(v.Name), r.p)+"="+aws.ToString(v.SecretString))
	}
	for _, e := range out.Errors {
		errs = append(errs, strings.TrimPrefix(aws.ToString(e.SecretId), r.p)+":"+aws.ToString(e.ErrorCode))
	}
	slices.Sort(vals)
	slices.Sort(errs)
	return smOutcome(nil, fmt.Sprint("values=", vals), fmt.Sprint("errors=", errs))
}

// list lists the names under prefix, page by page of max (0: the
// default), with what ListSecrets tells of each.
func (r *smScript) list(ctx context.Context, prefix string, max int32, planned bool) string {
	in := &sm.ListSecretsInput{
		Filters:                []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{r.p + prefix}}},
		IncludePlannedDeletion: aws.Bool(planned),
	}
	if max > 0 {
		in.MaxResults = aws.Int32(max)
	}
	var got []string
	pages := 0
	for {
		out, err := r.api.ListSecrets(ctx, in)
		if err != nil {
			return smOutcome(err)
		}
		pages++
		for _, e := range out.SecretList {
			s := strings.TrimPrefix(aws.ToString(e.Name), r.p)
			if e.DeletedDate != nil {
				s += "(deleted)"
			}
			if e.Description != nil {
				s += "(" + *e.Description + ")"
			}
			for _, t := range e.Tags {
				s += "(" + aws.ToString(t.Key) + "=" + aws.ToString(t.Value) + ")"
			}
			got = append(got, s)
		}
		if out.NextToken == nil || pages > 10 {
			break
		}
		in.NextToken = out.NextToken
	}
	slices.Sort(got)
	return smOutcome(nil, fmt.Sprint(got), fmt.Sprint("paged=", pages > 1))
}

func (r *smScript) cleanup(ctx context.Context) {
	in := &sm.ListSecretsInput{
		Filters:                []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{r.p}}},
		IncludePlannedDeletion: aws.Bool(true),
	}
	for range 50 {
		out, err := r.api.ListSecrets(ctx, in)
		if err != nil {
			return
		}
		for _, e := range out.SecretList {
			_, _ = r.api.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: e.ARN, ForceDeleteWithoutRecovery: aws.Bool(true)})
		}
		if in.NextToken = out.NextToken; in.NextToken == nil {
			return
		}
	}
}
