# Sourced by run.sh and accuracy.sh on the GPU machine: puts the CUDA 13 libraries the JNI
# libraries link against on LD_LIBRARY_PATH and says where each was found. The driver
# (libcuda.so.1) and the CUDA 13 runtime, cuBLAS and NVRTC come from the toolkit if it has them,
# else from PyTorch's nvidia-* wheels; last, for the runtime only, the copy prepare.sh carried
# ($1, a folder holding libcudart.so.13; the driver must still support CUDA 13).
cuda_env() {
  local carried="${1:-}" libdirs="/usr/local/nvidia/lib64:/usr/local/nvidia/lib:/usr/local/cuda/lib64" lib f where
  for lib in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libnvrtc.so.13; do
    if ! ls /usr/local/cuda/lib64/$lib >/dev/null 2>&1; then
      f="$(find /opt /usr/local /usr/lib -name "$lib" 2>/dev/null | head -1)"
      [ -n "$f" ] && libdirs="$libdirs:$(dirname "$f")"
    fi
  done
  if [ -n "$carried" ] && [ -f "$carried/libcudart.so.13" ] \
      && ! (IFS=:; for d in $libdirs; do [ -e "$d/libcudart.so.13" ] && exit 0; done; exit 1) \
      && ! ldconfig -p 2>/dev/null | grep -q 'libcudart.so.13 '; then
    libdirs="$libdirs:$carried"
  fi
  export LD_LIBRARY_PATH="$libdirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  for lib in libcuda.so.1 libcudart.so.13 libcublas.so.13 libnvrtc.so.13; do
    where="$( (IFS=:; for d in $LD_LIBRARY_PATH; do [ -e "$d/$lib" ] && echo "$d/$lib" && break; done) ; ldconfig -p 2>/dev/null | awk -v l="$lib" '$1 == l {print $NF; exit}')"
    echo "  $lib: ${where:-NOT FOUND}" | head -1
  done
  command -v nvcc >/dev/null && nvcc --version | tail -1
  return 0
}
