// Package awssm is a tokenstore.Store on AWS Secrets Manager.
package awssm
