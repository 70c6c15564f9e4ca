"""Word lists for recognising people and systems (kept apart so the logic stays short)."""

from __future__ import annotations

from secondstory.core.review.first_names import FIRST_NAMES as FIRST_NAMES


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PRONOUNS = _words(
    """
    i he she they we you someone somebody nobody everyone everybody anyone anybody whoever
    me him her them us
    """
) | frozenset(["no one"])

ROLES = _words(
    """
    management leadership executives execs
    engineer engineers on-call oncall on-caller on-callers operator operators sre sres dba
    dbas intern interns hire hires ic commander commanders reviewer reviewers developer
    developers dev devs admin admins administrator administrators manager managers lead
    leads author authors responder responders owner owners person people staff employee
    employees contractor contractors team teams squad crew ops oncaller analyst
    analysts tester testers qa architect architects programmer programmers sysadmin
    sysadmins approver approvers deployer submitter committer coworker colleague colleagues
    human humans individual individuals newcomer junior senior folks guy guys
    technician technicians facilitator specialist specialists director vp cto
    captain captains shift duty on-duty staffer staffers maintainer maintainers boss chief
    officer officers representative representatives rep reps personnel consultant
    consultants contributor contributors releaser deployers submitters requester requesters
    assignee assignees trainee trainees apprentice newbie newbies novice novices veteran
    veterans expert experts user users customer customers founder founders ceo cio ciso coo
    firefighter firefighters
    """
)

NOT_NAMES = _words(
    """
    stripe twilio okta fastly akamai heroku vercel netlify braintree adyen paypal sendgrid
    mailgun segment snowflake bigquery redshift dynamo dynamodb aurora spanner bigtable
    firebase supabase auth0 duo zendesk intercom salesforce hubspot shopify square plaid
    mongo mariadb sqlite clickhouse vitess citus pgbouncer patroni nomad openshift rancher
    tomcat jetty gunicorn uwsgi puma unicorn sidekiq resque airflow dagster spark flink hadoop
    hive presto trino kibana logstash fluentd vector loki tempo jaeger honeycomb newrelic
    statuspage opsgenie victorops xmatters teams zoom google apple microsoft amazon android
    chrome safari firefox windows macos ubuntu debian centos alpine nixos arm intel
    the a an this that these those it its there here then when while after before during our
    their his her my your we they he she i if had has have once since because although
    nobody someone postgres postgresql mysql redis kafka nginx envoy terraform kubernetes
    k8s jenkins consul vault linux docker helm grafana prometheus alertmanager pagerduty
    opsgenie slack github gitlab jira aws gcp azure s3 ec2 rds lambda cloudflare
    elasticsearch cassandra mongodb zookeeper rabbitmq celery django rails node java python
    go ansible chef puppet istio haproxy varnish memcached etcd sentry datadog splunk argo
    argocd spinnaker circleci travis bazel the monday tuesday wednesday thursday friday
    saturday sunday nothing everything something anything nginx cron checkout billing search
    payments auth login signup cart inventory catalog gateway proxy cache queue disk memory
    traffic latency load retries config deploy rollout rollback release monitoring logging
    alerting paging replication failover backup backups storage network dns tls ssl cdn api
    web mobile ios android frontend backend database db cluster node pod host vm the until
    once today yesterday tomorrow customers users nobody everyone it's we've january
    february march april may june july august september october november december utc
    staging production prod canary primary replica leader
    root cause causes trigger triggers impact summary detection resolution lessons timeline
    background mitigation recovery response contributing factors action actions items
    incident incidents outage outages postmortem review analysis what why how who where
    instead however meanwhile despite within without upon thus hence therefore following
    given unlike like whereas whether although though unless until due per via
    service services control system systems feature features data user users
    in on at of from with for by to as into onto about over under first second third next
    finally last additionally moreover furthermore initially eventually subsequently
    """
)

SKIP = _words(
    """
    often sometimes always usually regularly frequently routinely
    also just simply really clearly obviously never not still then again already even only
    apparently certainly definitely probably perhaps actually basically later ultimately
    immediately
    """
)

VERBISH = _words(
    """
    was is had has did went ran made forgot took broke left set put sent kept let chose
    should could would must might never didn't did not wrote gave got
    """
)

# Nouns before a role word that make it software: "the database user", "the lock owner".
TECHNICAL_MODIFIERS = _words(
    """
    database db cluster service system lock process root linux unix iam api sql ldap ssh git
    machine node pod queue job kernel file bucket table schema repo repository resource
    service-account account crd helm kube kubernetes k8s postgres postgresql mysql prometheus
    kafka redis mongo mongodb elasticsearch rabbitmq etcd terraform istio vault consul
    """
)

PREPOSITIONS = _words(
    "on in at of from with for during within into onto over under between across through about "
    "via inside by"
)

QUANTIFIERS = _words("one some none several all many most each any both two three either neither")
