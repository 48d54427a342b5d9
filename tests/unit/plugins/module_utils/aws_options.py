"""What the unit tests of the AWS runners share (imported by them; not a test module)."""

# The AWS options of a module, as AnsibleModule would fill them (credentials for botocore's Stubber).
AWS_OPTIONS = dict(
    region="us-east-1", access_key="a", secret_key="b", endpoint_url=None, profile=None, session_token=None
)
