#!/usr/bin/env bash
# segflow in CI: the shell steps examples/ci/github-actions.yml and examples/ci/gitlab-ci.yml call, so that both
# (and any other CI) run the same flow. Run it from the repository root.
#
#   segflow-ci.sh changed BASE_REF         the pipeline files changed since BASE_REF, one per line
#   segflow-ci.sh validate PIPELINE...     segflow validate
#   segflow-ci.sh plan PIPELINE...         plan each into $SEGFLOW_CI_OUT/<id>.plan.json (the plan a merge applies)
#                                          and <id>.plan.md (markdown for reviewers): appended to the GitHub job
#                                          summary, and posted as a pull/merge request comment, updated in place
#   segflow-ci.sh fetch-plan PIPELINE...   on the main branch: download the reviewed plans of the merged request
#   segflow-ci.sh apply PIPELINE...        apply exactly the reviewed plan; refused (exit 3) if the spec, the state
#                                          or the world moved since it was planned: plan again then
#   segflow-ci.sh drift PIPELINE...        plan --detailed-exitcode; exits 1 if any pipeline drifted
#   segflow-ci.sh refresh PIPELINE...      the weekly production refresh: plan (nothing new: done, $0), apply exactly
#                                          that plan (refused over budget.maxUsd: exit 3), publish each report
#
# Environment:
#   SEGFLOW            how to run segflow (default: segflow)
#   SEGFLOW_CI_OUT     where plans go (default: .segflow-ci)
#   SEGFLOW_PIPELINES  extended regex of pipeline files for `changed` (default: ^pipelines/[^/]+\.ya?ml$)
#   GITHUB_STEP_SUMMARY, GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_API_URL   set by GitHub Actions
#   GITLAB_TOKEN (a project access token with api scope), CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID
# Without a token (or outside a pull/merge request) nothing is posted: the markdown stays in $SEGFLOW_CI_OUT.
set -euo pipefail

SEGFLOW=${SEGFLOW:-segflow}
OUT=${SEGFLOW_CI_OUT:-.segflow-ci}
PIPELINES=${SEGFLOW_PIPELINES:-'^pipelines/[^/]+\.ya?ml$'}

log() { printf 'segflow-ci: %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }

# pipelines/online-retail.yaml -> pipelines__online-retail: one plan file per pipeline, whatever its directory.
plan_id() { local f=${1%.y*ml}; printf '%s' "${f//\//__}"; }

run_segflow() {
  # shellcheck disable=SC2086  # SEGFLOW may be a command with arguments ("npx --no-install segflow")
  $SEGFLOW "$@"
}

summary() {
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$1" >>"$GITHUB_STEP_SUMMARY"; fi
}

# Posts $2 (markdown starting with <!-- segflow-plan:NAME -->) on the pull/merge request, replacing segflow's own
# earlier comment for that pipeline instead of adding another one.
post_comment() {
  local marker body
  marker=$(head -n 1 "$1")
  body=$(jq -Rs '{body: .}' <"$1")
  if [ -n "${GITHUB_TOKEN:-}" ] && [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -n "${GITHUB_REPOSITORY:-}" ]; then
    local pr api existing page=1 ids
    pr=$(jq -r '.pull_request.number // empty' "$GITHUB_EVENT_PATH")
    [ -n "$pr" ] || { log 'not a pull request: no comment posted'; return 0; }
    api="${GITHUB_API_URL:-https://api.github.com}/repos/$GITHUB_REPOSITORY"
    existing=
    while :; do
      ids=$(curl -fsSL -H "Authorization: Bearer $GITHUB_TOKEN" -H 'Accept: application/vnd.github+json' \
        "$api/issues/$pr/comments?per_page=100&page=$page")
      [ "$(jq length <<<"$ids")" -gt 0 ] || break
      existing=$(jq -r --arg m "$marker" '[.[] | select(.body | startswith($m))][0].id // empty' <<<"$ids")
      [ -z "$existing" ] || break
      page=$((page + 1))
    done
    if [ -n "$existing" ]; then
      curl -fsSL -X PATCH -H "Authorization: Bearer $GITHUB_TOKEN" -H 'Accept: application/vnd.github+json' \
        "$api/issues/comments/$existing" -d "$body" >/dev/null
      log "updated the plan comment on pull request #$pr"
    else
      curl -fsSL -X POST -H "Authorization: Bearer $GITHUB_TOKEN" -H 'Accept: application/vnd.github+json' \
        "$api/issues/$pr/comments" -d "$body" >/dev/null
      log "commented the plan on pull request #$pr"
    fi
  elif [ -n "${GITLAB_TOKEN:-}" ] && [ -n "${CI_MERGE_REQUEST_IID:-}" ]; then
    local api existing
    api="$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"
    existing=$(curl -fsSL -H "PRIVATE-TOKEN: $GITLAB_TOKEN" "$api?per_page=100&sort=desc" |
      jq -r --arg m "$marker" '[.[] | select(.body | startswith($m))][0].id // empty')
    if [ -n "$existing" ]; then
      curl -fsSL -X PUT -H "PRIVATE-TOKEN: $GITLAB_TOKEN" -H 'Content-Type: application/json' "$api/$existing" -d "$body" >/dev/null
      log "updated the plan note on merge request !$CI_MERGE_REQUEST_IID"
    else
      curl -fsSL -X POST -H "PRIVATE-TOKEN: $GITLAB_TOKEN" -H 'Content-Type: application/json' "$api" -d "$body" >/dev/null
      log "noted the plan on merge request !$CI_MERGE_REQUEST_IID"
    fi
  else
    log "no GITHUB_TOKEN or GITLAB_TOKEN for a request: the plan is in $1, not posted"
  fi
}

stage_changed() {
  local base=${1:?usage: segflow-ci.sh changed BASE_REF}
  git diff --name-only --diff-filter=d "$base"...HEAD | grep -E "$PIPELINES" || true
}

stage_validate() {
  run_segflow validate "$@"
}

# Plans $1 into $2.json (the plan apply takes) and $2.md (markdown); echoes plan's exit code: 0 no changes, 4 changes.
save_plan() {
  local code
  set +e
  run_segflow plan "$1" --out "$2.json" --format markdown --detailed-exitcode >"$2.md"
  code=$?
  set -e
  printf '%s' "$code"
}

stage_plan() {
  mkdir -p "$OUT"
  local f id code
  for f in "$@"; do
    id=$(plan_id "$f")
    code=$(save_plan "$f" "$OUT/$id.plan")
    case $code in
      0) log "$f: no changes" ;;
      4) log "$f: changes planned, saved to $OUT/$id.plan.json" ;;
      *) log "$f: plan failed (exit $code)"; exit "$code" ;;
    esac
    summary "$OUT/$id.plan.md"
    post_comment "$OUT/$id.plan.md"
  done
}

# The plans reviewed on the request that this commit merged: GitHub keeps them as the artifacts segflow-plan-* of the
# request's last successful run (gh CLI, GH_TOKEN); GitLab as the artifacts of the merge request pipeline's plan job.
stage_fetch_plan() {
  mkdir -p "$OUT"
  if [ -n "${GITHUB_REPOSITORY:-}" ]; then
    local pr head run
    pr=$(gh api "repos/$GITHUB_REPOSITORY/commits/${GITHUB_SHA:?}/pulls" --jq '.[0].number // empty')
    [ -n "$pr" ] || die "commit $GITHUB_SHA belongs to no pull request: nothing was reviewed"
    head=$(gh pr view "$pr" --repo "$GITHUB_REPOSITORY" --json headRefOid --jq .headRefOid)
    run=$(gh run list --repo "$GITHUB_REPOSITORY" --workflow "${SEGFLOW_WORKFLOW:-segflow.yml}" --commit "$head" \
      --status success --limit 1 --json databaseId --jq '.[0].databaseId // empty')
    [ -n "$run" ] || die "no successful plan run for pull request #$pr (head $head)"
    # One artifact per planned pipeline (segflow-plan-<job index>), each in its own directory once downloaded.
    gh run download "$run" --repo "$GITHUB_REPOSITORY" --pattern 'segflow-plan-*' --dir "$OUT/download"
    find "$OUT/download" -name '*.plan.json' -exec mv -f {} "$OUT/" \;
    rm -rf "$OUT/download"
  elif [ -n "${CI_API_V4_URL:-}" ]; then
    local api="$CI_API_V4_URL/projects/$CI_PROJECT_ID" auth="PRIVATE-TOKEN: ${GITLAB_TOKEN:?}" mr pipeline f job
    mr=$(curl -fsSL -H "$auth" "$api/repository/commits/$CI_COMMIT_SHA/merge_requests" | jq -r '.[0].iid // empty')
    [ -n "$mr" ] || die "commit $CI_COMMIT_SHA belongs to no merge request: nothing was reviewed"
    pipeline=$(curl -fsSL -H "$auth" "$api/merge_requests/$mr/pipelines" | jq -r '[.[] | select(.status == "success")][0].id // empty')
    [ -n "$pipeline" ] || die "no successful plan pipeline for merge request !$mr"
    for f in "$@"; do
      # parallel:matrix names the job after its variable: "segflow-plan: [pipelines/x.yaml]".
      job=$(curl -fsSL -H "$auth" "$api/pipelines/$pipeline/jobs?scope[]=success&per_page=100" |
        jq -r --arg n "segflow-plan: [$f]" '[.[] | select(.name == $n)][0].id // empty')
      [ -n "$job" ] || die "no plan job for $f in pipeline $pipeline of merge request !$mr"
      curl -fsSL -H "$auth" -o "$OUT/plans.zip" "$api/jobs/$job/artifacts"
      (cd "$OUT" && unzip -o -j -q plans.zip '*.plan.json' && rm plans.zip)
    done
  else
    die 'fetch-plan runs on GitHub Actions or GitLab CI'
  fi
  local f
  for f in "$@"; do [ -f "$OUT/$(plan_id "$f").plan.json" ] || die "no reviewed plan for $f in the request's artifacts"; done
}

stage_apply() {
  local f plan
  for f in "$@"; do
    plan="$OUT/$(plan_id "$f").plan.json"
    [ -f "$plan" ] || die "$f: no reviewed plan at $plan (run the plan stage, or fetch-plan on the main branch)"
    log "$f: applying the reviewed plan $plan"
    run_segflow apply "$plan"
  done
}

stage_drift() {
  mkdir -p "$OUT"
  local f id code drifted=0
  for f in "$@"; do
    id=$(plan_id "$f")
    set +e
    run_segflow plan "$f" --format markdown --detailed-exitcode >"$OUT/$id.drift.md"
    code=$?
    set -e
    case $code in
      0) log "$f: no drift" ;;
      4) log "$f: DRIFT: the world or the spec differs from the state"; drifted=1; cat "$OUT/$id.drift.md"; summary "$OUT/$id.drift.md" ;;
      *) log "$f: plan failed (exit $code)"; exit "$code" ;;
    esac
  done
  return "$drifted"
}

# New data since the last run: plan it (the cost estimate is the budget gate apply enforces), apply exactly the plan
# that was priced, then publish the report (segment sizes, overlap, changes since the previous run) to the job
# summary. An unchanged week plans "No changes" and runs nothing.
stage_refresh() {
  mkdir -p "$OUT"
  local f id code
  for f in "$@"; do
    id=$(plan_id "$f")
    code=$(save_plan "$f" "$OUT/$id.refresh")
    case $code in
      0) log "$f: no new data, nothing to refresh"; continue ;;
      4) log "$f: refreshing (plan in $OUT/$id.refresh.json)" ;;
      *) log "$f: plan failed (exit $code)"; exit "$code" ;;
    esac
    summary "$OUT/$id.refresh.md"
    run_segflow apply "$OUT/$id.refresh.json"
    run_segflow report "$f" >"$OUT/$id.report.txt"
    log "$f: refreshed; report in $OUT/$id.report.txt"
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then printf '\n```\n%s\n```\n' "$(cat "$OUT/$id.report.txt")" >>"$GITHUB_STEP_SUMMARY"; fi
  done
}

stage=${1:-}
shift || true
case $stage in
  changed) stage_changed "$@" ;;
  validate | plan | fetch-plan | apply | drift | refresh)
    [ $# -gt 0 ] || die "usage: segflow-ci.sh $stage PIPELINE..."
    "stage_${stage//-/_}" "$@"
    ;;
  *) die 'usage: segflow-ci.sh changed|validate|plan|fetch-plan|apply|drift|refresh ...' ;;
esac
