# Calibration recovers known truth (issue: power_patient 0.2, accept 1.5,
# self_consistency 0.5, others default): each 90% interval contains the true
# value and is narrower than half its prior's range. Fixed seeds.
. "$(dirname "$0")/lib.sh"

run simulate --pairs 20000 --seed 7 --power_patient 0.2 --accept 1.5 --self_consistency 0.5 --summary
printf '%s' "$out" > target.json
expect "the target is simulated at the true values" '[ $rc -eq 0 ] && jq -e .regimes target.json >/dev/null'
run calibrate target.json --params power_patient,accept,self_consistency --seed 3 --threads 2 \
  --out posterior.csv --json
printf '%s' "$out" > fit.json
expect "calibrate succeeds" '[ $rc -eq 0 ]'
for p in power_patient:0.2 accept:1.5 self_consistency:0.5; do
  name=${p%%:*} truth=${p#*:}
  expect "the 90% interval of $name contains $truth" \
    'jq -e --argjson t "$truth" ".parameters.$name | .lo90 <= \$t and \$t <= .hi90" fit.json >/dev/null'
  expect "the 90% interval of $name is narrower than half the prior range" \
    'jq -e ".parameters.$name | (.hi90 - .lo90) < (.prior[1] - .prior[0]) / 2" fit.json >/dev/null'
done
expect "the posterior sample has one row per particle" \
  '[ "$(head -1 posterior.csv)" = "particle,weight,distance,power_patient,accept,self_consistency" ] && [ "$(wc -l < posterior.csv)" -eq 201 ]'
expect "weights sum to 1" 'awk -F, "NR > 1 { s += \$2 } END { exit !(s > 0.999999 && s < 1.000001) }" posterior.csv'
run calibrate target.json --params power_patient,accept,self_consistency --seed 3 --threads 1 --json
expect "calibration is reproducible for a seed and independent of threads" '[ "$out" = "$(cat fit.json)" ]'
