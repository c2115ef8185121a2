package awssm_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// ListSecrets lists the secrets that Filters select (name, tag-key and
// tag-value by prefix; description by prefix, ignoring case), in the
// order they were created (SortOrder desc reverses it), a page of
// MaxResults (default and limit 100) at a time. Secrets pending deletion
// are listed only with IncludePlannedDeletion. Unlike Secrets Manager it
// never lags behind writes.
func (s *smServer) ListSecrets(ctx context.Context, in *sm.ListSecretsInput, _ ...func(*sm.Options)) (*sm.ListSecretsOutput, error) {
	const op = "ListSecrets"
	if err := smBegin(ctx, op, "ListSecretsInput"); err != nil {
		return nil, err
	}
	s.add(op)
	if in.SortBy != "" && in.SortBy != types.SortByTypeCreatedDate {
		return nil, fmt.Errorf("smServer: ListSecrets SortBy %q is not implemented by the fake", in.SortBy)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	page, next, err := s.page(in.Filters, aws.ToBool(in.IncludePlannedDeletion), in.MaxResults, in.NextToken, in.SortOrder)
	if err != nil {
		return nil, smFail(op, err)
	}
	out := &sm.ListSecretsOutput{NextToken: next, SecretList: make([]types.SecretListEntry, 0, len(page))}
	for _, sec := range page {
		e := types.SecretListEntry{
			ARN: aws.String(sec.arn), Name: aws.String(sec.name), Description: smClone(sec.description),
			KmsKeyId: smClone(sec.kmsKeyID), Tags: smCloneTags(sec.tags), CreatedDate: aws.Time(sec.created),
			LastChangedDate: aws.Time(sec.changed), SecretVersionsToStages: make(map[string][]string),
		}
		if sec.pending() {
			e.DeletedDate = aws.Time(sec.deletion)
		}
		for id, v := range sec.versions {
			if len(v.stages) > 0 {
				e.SecretVersionsToStages[id] = slices.Clone(v.stages)
			}
		}
		out.SecretList = append(out.SecretList, e)
	}
	return out, nil
}

// page returns one page of the secrets filters select, in creation order
// (reversed for desc), after the one next names, and the token of the
// next page. The caller holds s.mu.
func (s *smServer) page(filters []types.Filter, planned bool, max *int32, next *string, order types.SortOrderType) ([]*smSecret, *string, error) {
	limit := smMaxList
	if max != nil {
		if *max < 1 || *max > smMaxList {
			return nil, nil, smValidation(fmt.Sprintf("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", *max, smMaxList))
		}
		limit = int(*max)
	}
	after := int64(-1)
	if next != nil {
		n, err := strconv.ParseInt(strings.TrimPrefix(*next, "fake-"), 10, 64)
		if err != nil || !strings.HasPrefix(*next, "fake-") {
			return nil, nil, &types.InvalidNextTokenException{Message: aws.String("The NextToken value is invalid.")}
		}
		after = n
	}
	for _, f := range filters {
		if err := smCheckFilter(f); err != nil {
			return nil, nil, err
		}
	}
	var all []*smSecret
	for name := range s.secrets {
		if sec := s.find(name); sec != nil && (planned || !sec.pending()) && smMatches(sec, filters) {
			all = append(all, sec)
		}
	}
	desc := order == types.SortOrderTypeDesc
	slices.SortFunc(all, func(a, b *smSecret) int {
		if desc {
			return int(b.seq - a.seq)
		}
		return int(a.seq - b.seq)
	})
	if after >= 0 {
		all = slices.DeleteFunc(all, func(sec *smSecret) bool { return desc && sec.seq >= after || !desc && sec.seq <= after })
	}
	if len(all) <= limit {
		return all, nil, nil
	}
	return all[:limit], aws.String(fmt.Sprintf("fake-%d", all[limit-1].seq)), nil
}

func smCheckFilter(f types.Filter) error {
	switch f.Key {
	case types.FilterNameStringTypeName, types.FilterNameStringTypeDescription,
		types.FilterNameStringTypeTagKey, types.FilterNameStringTypeTagValue:
	default:
		return smInvalidParam(fmt.Sprintf("smServer: filter key %q is not implemented by the fake", f.Key))
	}
	if len(f.Values) < 1 || len(f.Values) > 10 {
		return smValidation("1 validation error detected: a filter takes 1 to 10 values")
	}
	for _, v := range f.Values {
		if strings.HasPrefix(v, "!") {
			// Negation is documented but not pinned down (LocalStack's moto
			// lists what it should exclude): refuse rather than guess.
			return smInvalidParam("smServer: negated filter values are not implemented by the fake")
		}
	}
	return nil
}

// smMatches reports whether sec passes every filter: one of its values is
// a prefix of one of the attributes the filter's key names.
func smMatches(sec *smSecret, filters []types.Filter) bool {
	for _, f := range filters {
		var attrs []string
		fold := false
		switch f.Key {
		case types.FilterNameStringTypeName:
			attrs = []string{sec.name}
		case types.FilterNameStringTypeDescription:
			attrs, fold = []string{aws.ToString(sec.description)}, true
		case types.FilterNameStringTypeTagKey:
			for _, t := range sec.tags {
				attrs = append(attrs, aws.ToString(t.Key))
			}
		case types.FilterNameStringTypeTagValue:
			for _, t := range sec.tags {
				attrs = append(attrs, aws.ToString(t.Value))
			}
		}
		if !slices.ContainsFunc(f.Values, func(v string) bool {
			return slices.ContainsFunc(attrs, func(a string) bool {
				return strings.HasPrefix(a, v) || fold && strings.HasPrefix(strings.ToLower(a), strings.ToLower(v))
			})
		}) {
			return false
		}
	}
	return true
}
