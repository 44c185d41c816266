using System.Runtime.InteropServices;

namespace Kiln.Proofs.Snark;

// The C structs of filecoin-ffi's ABI (spec §14), x86-64 layout. SnarkAbiLayoutTests pins every size and offset,
// and tests/native/fake_filcrypto.h asserts the same numbers on the C side.

/// <summary>
/// <c>slice_ref_T</c> (borrowed) and <c>slice_boxed_T</c> (Rust-owned, freed by a destroy function):
/// <c>{ T* ptr; size_t len; }</c>, 16 bytes. A borrowed slice never carries a NULL pointer, even when empty.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal unsafe struct FfiSlice
{
    [FieldOffset(0)]
    public void* Ptr;

    [FieldOffset(8)]
    public nuint Len;

    /// <summary>A 16-byte, 16-aligned block that empty borrowed slices point at; never written, never freed.</summary>
    private static readonly nint EmptyTarget = (nint)NativeMemory.AlignedAlloc(16, 16);

    /// <summary>A borrowed slice over <paramref name="count"/> elements at <paramref name="ptr"/>; never NULL.</summary>
    public static FfiSlice Borrow(void* ptr, int count) => new()
    {
        Ptr = ptr != null ? ptr : (void*)EmptyTarget,
        Len = (nuint)count,
    };

    public readonly byte[] ToByteArray() => new ReadOnlySpan<byte>(Ptr, checked((int)Len)).ToArray();

    public readonly ulong[] ToUInt64Array() => new ReadOnlySpan<ulong>(Ptr, checked((int)Len)).ToArray();
}

/// <summary>
/// <c>Result_&lt;T&gt;_t</c>: <c>{ int32_t status_code; slice_boxed_uint8_t error_msg; T value; }</c> — status at 0,
/// error_msg at 8, value at 24 (sequential layout; generic structs cannot have explicit layout).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FfiResult<T>
    where T : unmanaged
{
    public int Status;
    public FfiSlice ErrorMsg;
    public T Value;
}

/// <summary><c>PoStProof_t</c> and <c>PartitionSnarkProof_t</c>: <c>{ int32_t registered_proof; slice_boxed_uint8_t proof; }</c>, 24 bytes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal struct FfiPoStProof
{
    [FieldOffset(0)]
    public int RegisteredProof;

    [FieldOffset(8)]
    public FfiSlice Proof;
}

/// <summary><c>PublicReplicaInfo_t</c>: <c>{ int32_t registered_proof; uint8_t comm_r[32]; uint64_t sector_id; }</c>, 48 bytes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 48)]
internal unsafe struct FfiPublicReplicaInfo
{
    [FieldOffset(0)]
    public int RegisteredProof;

    [FieldOffset(4)]
    public fixed byte CommR[32];

    [FieldOffset(40)]
    public ulong SectorId;
}

/// <summary>
/// <c>PrivateReplicaInfo_t</c>: <c>{ int32_t registered_proof; slice_boxed_uint8_t cache_dir_path; uint8_t comm_r[32];
/// slice_boxed_uint8_t replica_path; uint64_t sector_id; }</c>, 80 bytes. Paths are boxed slices from
/// <c>alloc_boxed_slice</c>; passed by value, Rust takes them over and frees them.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
internal unsafe struct FfiPrivateReplicaInfo
{
    [FieldOffset(0)]
    public int RegisteredProof;

    [FieldOffset(8)]
    public FfiSlice CacheDirPath;

    [FieldOffset(24)]
    public fixed byte CommR[32];

    [FieldOffset(56)]
    public FfiSlice ReplicaPath;

    [FieldOffset(72)]
    public ulong SectorId;
}

/// <summary><c>GenerateWindowPoSt_t</c>: <c>{ slice_boxed_PoStProof_t proofs; slice_boxed_uint64_t faulty_sectors; }</c>, 32 bytes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct FfiWindowPoSt
{
    [FieldOffset(0)]
    public FfiSlice Proofs;

    [FieldOffset(16)]
    public FfiSlice FaultySectors;
}

/// <summary>
/// <c>GenerateSingleWindowPoStWithVanilla_t</c>: <c>{ PartitionSnarkProof_t partition_proof; slice_boxed_uint64_t
/// faulty_sectors; }</c>, 40 bytes.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal struct FfiSingleWindowPoSt
{
    [FieldOffset(0)]
    public FfiPoStProof PartitionProof;

    [FieldOffset(24)]
    public FfiSlice FaultySectors;
}
