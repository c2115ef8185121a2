package awssm_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
)

// The seven operations of awssm.API on smServer (see fakesm_test.go).

func (s *smServer) GetSecretValue(ctx context.Context, in *sm.GetSecretValueInput, _ ...func(*sm.Options)) (*sm.GetSecretValueOutput, error) {
	const op = "GetSecretValue"
	if err := smBegin(ctx, op, "GetSecretValueInput", smMissing(in.SecretId, "SecretId")...); err != nil {
		return nil, err
	}
	s.add(op)
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.find(*in.SecretId)
	switch {
	case sec == nil:
		return nil, smFail(op, smErrNotFound())
	case sec.pending():
		return nil, smFail(op, smErrDeleted())
	}
	v, err := sec.pick(in.VersionId, in.VersionStage)
	if err != nil {
		return nil, smFail(op, err)
	}
	str, bin := v.value()
	return &sm.GetSecretValueOutput{
		ARN: aws.String(sec.arn), Name: aws.String(sec.name), VersionId: aws.String(v.id),
		SecretString: str, SecretBinary: bin, VersionStages: slices.Clone(v.stages), CreatedDate: aws.Time(v.created),
	}, nil
}

// BatchGetSecretValue reads the AWSCURRENT versions of the listed secrets
// (at most 20), reporting each that cannot be read in Errors, as
// GetSecretValue would fail on it; or of the secrets that Filters select,
// a page at a time.
func (s *smServer) BatchGetSecretValue(ctx context.Context, in *sm.BatchGetSecretValueInput, _ ...func(*sm.Options)) (*sm.BatchGetSecretValueOutput, error) {
	const op = "BatchGetSecretValue"
	if err := smBegin(ctx, op, "BatchGetSecretValueInput"); err != nil {
		return nil, err
	}
	s.add(op)
	switch {
	case len(in.SecretIdList) > 0 && len(in.Filters) > 0:
		return nil, smFail(op, smInvalidParam("Either 'SecretIdList' or 'Filters' must be provided, but not both."))
	case in.MaxResults != nil && len(in.Filters) == 0:
		return nil, smFail(op, smInvalidParam("'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided."))
	case len(in.SecretIdList) > smMaxBatch:
		return nil, smFail(op, smValidation(fmt.Sprintf("1 validation error detected: Value at 'secretIdList' failed to satisfy constraint: Member must have length less than or equal to %d", smMaxBatch)))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &sm.BatchGetSecretValueOutput{}
	entry := func(sec *smSecret, v *smVersion) types.SecretValueEntry {
		str, bin := v.value()
		return types.SecretValueEntry{
			ARN: aws.String(sec.arn), Name: aws.String(sec.name), VersionId: aws.String(v.id),
			SecretString: str, SecretBinary: bin, VersionStages: slices.Clone(v.stages), CreatedDate: aws.Time(v.created),
		}
	}
	if len(in.Filters) > 0 {
		page, next, err := s.page(in.Filters, false, in.MaxResults, in.NextToken, "")
		if err != nil {
			return nil, smFail(op, err)
		}
		for _, sec := range page {
			if v := sec.staged(smCurrent); v != nil {
				out.SecretValues = append(out.SecretValues, entry(sec, v))
			}
		}
		out.NextToken = next
		return out, nil
	}
	for _, id := range in.SecretIdList {
		sec := s.find(id)
		var err error
		switch {
		case sec == nil:
			err = smErrNotFound()
		case sec.pending():
			err = smErrDeleted()
		}
		var v *smVersion
		if err == nil {
			v, err = sec.pick(nil, nil)
		}
		if err != nil {
			code, msg := smCodeOf(err)
			out.Errors = append(out.Errors, types.APIErrorType{SecretId: aws.String(id), ErrorCode: aws.String(code), Message: aws.String(msg)})
			continue
		}
		out.SecretValues = append(out.SecretValues, entry(sec, v))
	}
	return out, nil
}

// CreateSecret creates a secret, with a first version when a value is
// given. An existing name fails (ResourceExistsException; pending deletion,
// InvalidRequestException) unless the request repeats the one that made a
// version: the same token and the same value, which succeeds again.
func (s *smServer) CreateSecret(ctx context.Context, in *sm.CreateSecretInput, _ ...func(*sm.Options)) (*sm.CreateSecretOutput, error) {
	const op = "CreateSecret"
	if err := smBegin(ctx, op, "CreateSecretInput", smMissing(in.Name, "Name")...); err != nil {
		return nil, err
	}
	s.add(op)
	name := *in.Name
	if err := smValidName(name); err != nil {
		return nil, smFail(op, err)
	}
	if err := smCheckValue(in.SecretString, in.SecretBinary, false); err != nil {
		return nil, smFail(op, err)
	}
	token, err := smToken(in.ClientRequestToken)
	if err != nil {
		return nil, smFail(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec := s.find(name); sec != nil {
		v := sec.versions[token]
		switch {
		case sec.pending():
			return nil, smFail(op, &types.InvalidRequestException{Message: aws.String("You can't create this secret because a secret with this name is already scheduled for deletion.")})
		case v == nil:
			return nil, smFail(op, &types.ResourceExistsException{Message: aws.String(fmt.Sprintf("The operation failed because the secret %s already exists.", name))})
		case !v.holds(in.SecretString, in.SecretBinary):
			return nil, smFail(op, smTokenInUse(token, sec.arn))
		}
		return &sm.CreateSecretOutput{ARN: aws.String(sec.arn), Name: aws.String(name), VersionId: aws.String(token)}, nil
	}
	now := s.now()
	s.seq++
	sec := &smSecret{
		name: name, arn: s.drawARN(name), description: smClone(in.Description), kmsKeyID: smClone(in.KmsKeyId),
		tags: smCloneTags(in.Tags), created: now, changed: now, seq: s.seq, versions: make(map[string]*smVersion),
	}
	s.secrets[name] = sec
	out := &sm.CreateSecretOutput{ARN: aws.String(sec.arn), Name: aws.String(name)}
	if in.SecretString != nil || in.SecretBinary != nil {
		sec.add(&smVersion{id: token, str: smClone(in.SecretString), bin: slices.Clone(in.SecretBinary), created: now}, []string{smCurrent})
		out.VersionId = aws.String(token)
	}
	return out, nil
}

// PutSecretValue adds a version, labelled AWSCURRENT unless VersionStages
// say otherwise. A token already used for the same value is ignored and
// succeeds; for another value it fails (ResourceExistsException).
func (s *smServer) PutSecretValue(ctx context.Context, in *sm.PutSecretValueInput, _ ...func(*sm.Options)) (*sm.PutSecretValueOutput, error) {
	const op = "PutSecretValue"
	if err := smBegin(ctx, op, "PutSecretValueInput", smMissing(in.SecretId, "SecretId")...); err != nil {
		return nil, err
	}
	s.add(op)
	if err := smCheckValue(in.SecretString, in.SecretBinary, true); err != nil {
		return nil, smFail(op, err)
	}
	token, err := smToken(in.ClientRequestToken)
	if err != nil {
		return nil, smFail(op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.find(*in.SecretId)
	switch {
	case sec == nil:
		return nil, smFail(op, smErrNotFound())
	case sec.pending():
		return nil, smFail(op, smErrDeleted())
	}
	out := &sm.PutSecretValueOutput{ARN: aws.String(sec.arn), Name: aws.String(sec.name), VersionId: aws.String(token)}
	if v := sec.versions[token]; v != nil {
		if !v.holds(in.SecretString, in.SecretBinary) {
			return nil, smFail(op, smTokenInUse(token, sec.arn))
		}
		out.VersionStages = slices.Clone(v.stages)
		return out, nil
	}
	labels := slices.Clone(in.VersionStages)
	if len(labels) == 0 {
		labels = []string{smCurrent}
	}
	if len(sec.versions) == 0 && !slices.Contains(labels, smCurrent) {
		labels = append(labels, smCurrent)
	}
	now := s.now()
	sec.add(&smVersion{id: token, str: smClone(in.SecretString), bin: slices.Clone(in.SecretBinary), created: now}, labels)
	sec.changed = now
	out.VersionStages = slices.Clone(labels)
	return out, nil
}

// DeleteSecret schedules the deletion of a secret after its recovery
// window (7 to 30 days, default 30), or with ForceDeleteWithoutRecovery
// deletes it at once. Forcing the deletion of a secret that does not exist
// succeeds, as it does on LocalStack (moto).
func (s *smServer) DeleteSecret(ctx context.Context, in *sm.DeleteSecretInput, _ ...func(*sm.Options)) (*sm.DeleteSecretOutput, error) {
	const op = "DeleteSecret"
	if err := smBegin(ctx, op, "DeleteSecretInput", smMissing(in.SecretId, "SecretId")...); err != nil {
		return nil, err
	}
	s.add(op)
	force := aws.ToBool(in.ForceDeleteWithoutRecovery)
	days := int64(30)
	if w := in.RecoveryWindowInDays; w != nil {
		if *w < 7 || *w > 30 {
			return nil, smFail(op, smInvalidParam("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."))
		}
		if force {
			return nil, smFail(op, smInvalidParam("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."))
		}
		days = *w
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	sec := s.find(*in.SecretId)
	switch {
	case sec == nil && !force:
		return nil, smFail(op, smErrNotFound())
	case sec == nil:
		arn := *in.SecretId
		if !strings.HasPrefix(arn, "arn:") {
			arn = s.drawARN(arn)
		}
		return &sm.DeleteSecretOutput{ARN: aws.String(arn), Name: in.SecretId, DeletionDate: aws.Time(now)}, nil
	case sec.pending() && !force:
		return nil, smFail(op, &types.InvalidRequestException{Message: aws.String("You tried to perform the operation on a secret that's currently marked deleted.")})
	}
	when := now
	if force {
		delete(s.secrets, sec.name)
	} else {
		when = now.Add(time.Duration(days) * 24 * time.Hour)
		sec.deletion = when
	}
	return &sm.DeleteSecretOutput{ARN: aws.String(sec.arn), Name: aws.String(sec.name), DeletionDate: aws.Time(when)}, nil
}

// RestoreSecret cancels a scheduled deletion; on a live secret it does
// nothing and succeeds.
func (s *smServer) RestoreSecret(ctx context.Context, in *sm.RestoreSecretInput, _ ...func(*sm.Options)) (*sm.RestoreSecretOutput, error) {
	const op = "RestoreSecret"
	if err := smBegin(ctx, op, "RestoreSecretInput", smMissing(in.SecretId, "SecretId")...); err != nil {
		return nil, err
	}
	s.add(op)
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := s.find(*in.SecretId)
	if sec == nil {
		return nil, smFail(op, smErrNotFound())
	}
	sec.deletion = time.Time{}
	return &sm.RestoreSecretOutput{ARN: aws.String(sec.arn), Name: aws.String(sec.name)}, nil
}

func smMissing(v *string, field string) []string {
	if v == nil {
		return []string{field}
	}
	return nil
}

func smTokenInUse(token, arn string) error {
	return &types.ResourceExistsException{Message: aws.String(fmt.Sprintf("You can't use ClientRequestToken %s because that value is already in use for a version of secret %s.", token, arn))}
}

// smCodeOf returns the code and message of an API error made by the fake.
func smCodeOf(err error) (string, string) {
	e := err.(smithy.APIError)
	return e.ErrorCode(), e.ErrorMessage()
}

func smClone(p *string) *string {
	if p == nil {
		return nil
	}
	return aws.String(*p)
}

func smCloneTags(tags []types.Tag) []types.Tag {
	out := make([]types.Tag, len(tags))
	for i, t := range tags {
		out[i] = types.Tag{Key: smClone(t.Key), Value: smClone(t.Value)}
	}
	return out
}
