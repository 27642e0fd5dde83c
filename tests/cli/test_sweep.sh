# duet sweep and duet calibrate: reproducible, parallel, refusing bad input.
. "$(dirname "$0")/lib.sh"

cat > grid.json <<'JSON'
{"pairs": 500, "modules": 6, "seed": 11, "replicates": 2,
 "fixed": {"learning": 0.25},
 "vary": [{"name": "power_patient", "values": [0.2, 0.4]},
          {"name": "accept", "from": 0.8, "to": 1.6, "steps": 3}]}
JSON
run sweep grid.json --out one.csv --threads 1
expect "sweep writes a CSV" '[ $rc -eq 0 ] && [ "$(wc -l < one.csv)" -eq 13 ]'
expect "sweep's header names the varied parameters" \
  '[ "$(head -1 one.csv | cut -d, -f1-7)" = "point,replicate,seed,power_patient,accept,pairs,modules" ]'
# (0.8 + 1.6) / 2 is 1.2000000000000002 in binary64: the grid value formula of docs/model.md
expect "points are ordered: first parameter slowest, replicate fastest, seed + g" \
  '[ "$(sed -n 2,5p one.csv | cut -d, -f1-5 | tr "\n" " ")" = "0,0,11,0.20000000000000001,0.80000000000000004 1,1,12,0.20000000000000001,0.80000000000000004 2,0,13,0.20000000000000001,1.2000000000000002 3,1,14,0.20000000000000001,1.2000000000000002 " ]'
run sweep grid.json --out two.csv --threads 2
expect "sweep output is identical on 1 and 2 threads" '[ $rc -eq 0 ] && cmp -s one.csv two.csv'

# A sweep row is the summary of duet simulate at that point with that seed.
run simulate --pairs 500 --modules 6 --seed 14 --learning 0.25 --power_patient 0.2 --accept 1.2 --summary
row=$(sed -n 5p one.csv)
sim=$(printf '%s' "$out" | jq -c '[.regimes.partnership, .regimes.patient_native, .regimes.system_native,
  .regimes.polarised, .regimes.stalled, .mean_final_quality.patient, .mean_final_quality.system,
  .resistance_rate.patient, .resistance_rate.system, .mean_balance, .mean_d0, .mean_dm]')
csv=$(printf '%s' "$row" | cut -d, -f8-19 | jq -c -R 'split(",") | map(tonumber)')
expect "sweep point 3 equals duet simulate at its parameters and seed" '[ $rc -eq 0 ] && [ "$sim" = "$csv" ]'

if command -v mpirun >/dev/null 2>&1 && [ -x "${DUET_MPI:-}" ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
  mpirun -n 1 "$DUET_MPI" sweep grid.json --out mpi1.csv >/dev/null 2>&1
  mpirun -n 2 "$DUET_MPI" sweep grid.json --out mpi2.csv >/dev/null 2>&1
  rc=0 out="" err=""
  expect "sweep under MPI: 1 and 2 processes give the same bytes as the threaded run" \
    'cmp -s one.csv mpi1.csv && cmp -s one.csv mpi2.csv'
else
  echo "ok - # SKIP MPI sweep: build with 'make MPI=1' (Open MPI) to run it"
fi

printf '{"vary": [{"name": "power_patient", "values": [1.5]}]}' > bad.json
expect_error "a grid value out of range is refused" 1 "grid point 0" sweep bad.json
printf '{"vary": [{"name": "powr", "values": [0.2]}]}' > bad.json
expect_error "an unknown parameter is refused" 1 "unknown parameter 'powr'" sweep bad.json
printf '{"fixed": {"reject": 1.0}, "vary": [{"name": "accept", "values": [1.5]}]}' > bad.json
expect_error "accept above reject is refused" 1 "accept" sweep bad.json
printf '{"vary": [{"name": "accept", "values": [1.0]}], "colour": 1}' > bad.json
expect_error "an unknown key is refused" 1 "unknown key 'colour'" sweep bad.json
printf '{"vary": [' > bad.json
expect_error "malformed JSON names line and column" 1 "bad.json:1:" sweep bad.json
printf '{"vary": []}' > bad.json
expect_error "an empty vary list is refused" 1 "\"vary\" must be a list" sweep bad.json
expect_error "a sweep without a grid is a usage error" 2 "give exactly one GRID.json" sweep

printf '{"regimes": {"partnership": 1.5}}' > t.json
expect_error "a target share above 1 is refused" 1 "regimes.partnership is 1.5, outside 0..1" calibrate t.json
printf '{"mean_balance": "high"}' > t.json
expect_error "a non-numeric target is refused" 1 "mean_balance must be a number" calibrate t.json
printf '{"colour": 1}' > t.json
expect_error "an unknown target key is refused" 1 "unknown key" calibrate t.json
printf '{"mean_balance": 0.5}' > t.json
expect_error "an unknown parameter to calibrate is refused" 2 "'wisdom' is not a model parameter" calibrate t.json --params wisdom
printf '{"power_patient": [0.9, 0.1]}' > p.json
expect_error "an empty prior is refused" 1 "expected [lo, hi] with lo < hi" calibrate t.json --params power_patient --priors p.json
