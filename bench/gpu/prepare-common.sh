# Sourced by prepare.sh and prepare-accuracy.sh (here, not on the GPU machine): the steps both take.
# Needs $repo (the checkout) and $work (a scratch folder).

# The CIFAR-10 binary folder: $1 if given, else $CNNC_DATA, else the usual places; exits if none.
find_cifar() {
  local d
  for d in "${1:-}" "${CNNC_DATA:-}" "$repo/data/cifar-10-batches-bin" "$HOME/.cache/cnnc/cifar-10-batches-bin" \
      "$repo/../shared/data/cifar-10-batches-bin" /work/shared/data/cifar-10-batches-bin; do
    if [ -n "$d" ] && [ -f "$d/data_batch_5.bin" ] && [ -f "$d/test_batch.bin" ]; then echo "$d"; return 0; fi
  done
  echo "$(basename "$0"): no CIFAR-10 data found; pass its cifar-10-batches-bin folder" >&2
  exit 2
}

# Writes $1/cuda-jni-linux-x86_64.jar with only the JNI libraries the CUDA backend loads (cudart
# with the driver API, cublas, nvrtc, javacpp's own), and $2/libcudart.so.13 when CUDA 13 is here:
# the runtime (700 KB, redistributable) for a GPU machine whose only CUDA libraries are another
# version's; cuda-env.sh puts it last on the library path. cuBLAS (hundreds of MB) cannot travel;
# without it the backend runs its products on cnnc_sgemm.
stage_jni() {
  local javacpp_version cuda_version m2 natives_jar javacpp_jar
  javacpp_version="$(sed -n 's:.*<javacpp.version>\(.*\)</javacpp.version>.*:\1:p' "$repo/pom.xml")"
  cuda_version="13.1-9.19-$javacpp_version"
  m2="${MAVEN_REPO:-$HOME/.m2/repository}/org/bytedeco"
  natives_jar="$m2/cuda/$cuda_version/cuda-$cuda_version-linux-x86_64.jar"
  javacpp_jar="$m2/javacpp/$javacpp_version/javacpp-$javacpp_version-linux-x86_64.jar"
  if [ ! -f "$natives_jar" ] || [ ! -f "$javacpp_jar" ]; then
    (cd "$repo" && mvn -q -B dependency:get -Dartifact="org.bytedeco:cuda:$cuda_version:jar:linux-x86_64" \
        && mvn -q -B dependency:get -Dartifact="org.bytedeco:javacpp:$javacpp_version:jar:linux-x86_64")
  fi
  rm -rf "$work/natives" && mkdir -p "$work/natives"
  (cd "$work/natives" && unzip -q "$natives_jar" 'org/bytedeco/cuda/linux-x86_64/libjnicudart.so' \
      'org/bytedeco/cuda/linux-x86_64/libjnicublas.so' 'org/bytedeco/cuda/linux-x86_64/libjninvrtc.so' \
      && unzip -q "$javacpp_jar" 'org/bytedeco/javacpp/linux-x86_64/libjnijavacpp.so')
  jar --create --file "$1/cuda-jni-linux-x86_64.jar" -C "$work/natives" .
  if [ -f /usr/local/cuda/lib64/libcudart.so.13 ]; then
    mkdir -p "$2" && cp /usr/local/cuda/lib64/libcudart.so.13 "$2/"
  fi
}

# Bytes of the working tree a device call sends besides what it carries: tracked files and
# untracked ones git does not ignore.
tree_bytes() {
  (cd "$repo" && { git ls-files -z; git ls-files -z --others --exclude-standard; } \
      | xargs -0 -r stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
}
