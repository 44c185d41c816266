using System.Text;

namespace Kiln.Proofs.Snark;

/// <summary>
/// The real SNARK prover: filecoin-ffi's <c>libfilcrypto</c> (Groth16 on CPU or GPU, the parameter files under
/// FIL_PROOFS_PARAMETER_CACHE) called through its C ABI (filecoin-ffi rust/src/proofs/api.rs) with function pointers. The library is loaded on
/// first use from <see cref="SnarkProverOptions.LibraryPath"/> (FILCRYPTO_LIB) or, without one, by the system loader
/// name <c>filcrypto</c>; when it or a symbol is missing, construction still succeeds and each call throws a
/// <see cref="ProofsException"/> that names FILCRYPTO_LIB or the symbol, so a worker can start and report it.
/// </summary>
/// <remarks>
/// Ownership follows the ABI: inputs are borrowed slices of pinned managed memory (never NULL, even when empty);
/// boxed slices the library reads (vanilla proofs, proof bytes, paths) come from its <c>alloc_boxed_slice</c> and
/// are freed with <c>destroy_boxed_slice</c> unless passed by value; every <c>Result_*_t</c> goes back to its
/// <c>destroy_*</c> function after its value has been copied out, on success and on error alike.
/// </remarks>
public sealed unsafe class FilCryptoProver : ISnarkProver
{
    private readonly FilCryptoLibrary _library;

    /// <param name="libraryPath">Path of libfilcrypto.so; null for the system loader name <c>filcrypto</c>.</param>
    public FilCryptoProver(string? libraryPath = null)
    {
        _library = new FilCryptoLibrary(libraryPath);
    }

    public string Name => "filcrypto";

    public bool IsInsecure => false;

    /// <summary>The configured library path, or null for the system loader's <c>libfilcrypto.so</c>.</summary>
    public string? LibraryPath => _library.Path;

    /// <summary>Why libfilcrypto cannot be loaded, or null when it can. Loads it on first use.</summary>
    public string? WhyUnavailable => _library.WhyUnavailable;

    public byte[] SealCommitPhase2(ReadOnlySpan<byte> c1OutputJson, ulong sectorId, ReadOnlySpan<byte> proverId)
    {
        SnarkArguments.ThrowIfNot32(proverId, nameof(proverId));
        var function = FilCryptoFunction.SealCommitPhase2;
        var (call, destroy) = _library.Resolve(function);
        fixed (byte* json = c1OutputJson)
        fixed (byte* prover = proverId)
        {
            var result = ((delegate* unmanaged<FfiSlice, ulong, byte*, FfiResult<FfiSlice>*>)call)(
                FfiSlice.Borrow(json, c1OutputJson.Length), sectorId, prover);
            using var response = new FfiResponse<FfiSlice>(result, destroy, function.Name);
            response.ThrowIfFailed();
            return response.Value.ToByteArray();
        }
    }

    public bool VerifySeal(
        RegisteredSealProof proofType,
        ReadOnlySpan<byte> commR,
        ReadOnlySpan<byte> commD,
        ReadOnlySpan<byte> proverId,
        ReadOnlySpan<byte> ticket,
        ReadOnlySpan<byte> seed,
        ulong sectorId,
        ReadOnlySpan<byte> proof)
    {
        SnarkArguments.SealInputs(proofType, commR, commD, proverId, ticket, seed);
        var function = FilCryptoFunction.VerifySeal;
        var (call, destroy) = _library.Resolve(function);
        fixed (byte* r = commR)
        fixed (byte* d = commD)
        fixed (byte* prover = proverId)
        fixed (byte* t = ticket)
        fixed (byte* s = seed)
        fixed (byte* p = proof)
        {
            var result = ((delegate* unmanaged<int, byte*, byte*, byte*, byte*, byte*, ulong, FfiSlice, FfiResult<byte>*>)call)(
                (int)proofType, r, d, prover, t, s, sectorId, FfiSlice.Borrow(p, proof.Length));
            return Verdict(result, destroy, function.Name);
        }
    }

    /// <summary>
    /// The vanilla proof of one sector (bincode <c>FallbackPoStSectorProof</c>, filecoin-ffi
    /// <c>generate_single_vanilla_proof</c>) as rust-fil-proofs makes it, from its replica and cache
    /// directory: a reference to compare Kiln's own vanilla proofs with. The paths are handed over as boxed
    /// slices the library frees (PrivateReplicaInfo_t passed by value).
    /// </summary>
    public byte[] GenerateSingleVanillaProof(
        RegisteredPoStProof postType,
        string cacheDirPath,
        ReadOnlySpan<byte> commR,
        string replicaPath,
        ulong sectorId,
        ReadOnlySpan<ulong> challenges)
    {
        SnarkArguments.ThrowIfUndefined(postType, nameof(postType));
        ArgumentException.ThrowIfNullOrEmpty(cacheDirPath);
        ArgumentException.ThrowIfNullOrEmpty(replicaPath);
        SnarkArguments.ThrowIfNot32(commR, nameof(commR));
        var function = FilCryptoFunction.GenerateSingleVanillaProof;
        var (call, destroy) = _library.Resolve(function);
        using var paths = new FfiBoxedSlices(_library, [Encoding.UTF8.GetBytes(cacheDirPath), Encoding.UTF8.GetBytes(replicaPath)], function.Name);
        var replica = new FfiPrivateReplicaInfo
        {
            RegisteredProof = (int)postType,
            CacheDirPath = paths.Items[0],
            ReplicaPath = paths.Items[1],
            SectorId = sectorId,
        };
        commR.CopyTo(new Span<byte>(replica.CommR, SnarkArguments.ValueSize));
        fixed (ulong* c = challenges)
        {
            var result = ((delegate* unmanaged<FfiPrivateReplicaInfo, FfiSlice, FfiResult<FfiSlice>*>)call)(
                replica, FfiSlice.Borrow(c, challenges.Length));
            paths.Release();
            using var response = new FfiResponse<FfiSlice>(result, destroy, function.Name);
            response.ThrowIfFailed();
            return response.Value.ToByteArray();
        }
    }

    public PoStProofBytes[] GenerateWinningPoStWithVanilla(
        RegisteredPoStProof postType,
        ReadOnlySpan<byte> randomness,
        ReadOnlySpan<byte> proverId,
        IReadOnlyList<byte[]> vanillaProofs)
    {
        SnarkArguments.PoStGeneration(postType, winning: true, randomness, proverId, vanillaProofs);
        var function = FilCryptoFunction.GenerateWinningPoStWithVanilla;
        var (call, destroy) = _library.Resolve(function);
        using var vanilla = new FfiBoxedSlices(_library, vanillaProofs, function.Name);
        var result = GenerateWithVanilla<FfiSlice>(call, postType, randomness, proverId, vanilla, partitionIndex: null);
        using var response = new FfiResponse<FfiSlice>(result, destroy, function.Name);
        response.ThrowIfFailed();
        return CopyProofs(response.Value);
    }

    public WindowPoStSnarkResult GenerateWindowPoStWithVanilla(
        RegisteredPoStProof postType,
        ReadOnlySpan<byte> randomness,
        ReadOnlySpan<byte> proverId,
        IReadOnlyList<byte[]> vanillaProofs)
    {
        SnarkArguments.PoStGeneration(postType, winning: false, randomness, proverId, vanillaProofs);
        var function = FilCryptoFunction.GenerateWindowPoStWithVanilla;
        var (call, destroy) = _library.Resolve(function);
        using var vanilla = new FfiBoxedSlices(_library, vanillaProofs, function.Name);
        var result = GenerateWithVanilla<FfiWindowPoSt>(call, postType, randomness, proverId, vanilla, partitionIndex: null);
        using var response = new FfiResponse<FfiWindowPoSt>(result, destroy, function.Name);
        var faulty = response.Value.FaultySectors.ToUInt64Array();
        response.ThrowIfFailed(faulty);
        return new WindowPoStSnarkResult(CopyProofs(response.Value.Proofs), faulty);
    }

    public PartitionProofResult GenerateSingleWindowPoStWithVanilla(
        RegisteredPoStProof postType,
        ReadOnlySpan<byte> randomness,
        ReadOnlySpan<byte> proverId,
        IReadOnlyList<byte[]> vanillaProofs,
        int partitionIndex)
    {
        SnarkArguments.PoStGeneration(postType, winning: false, randomness, proverId, vanillaProofs);
        ArgumentOutOfRangeException.ThrowIfNegative(partitionIndex);
        var function = FilCryptoFunction.GenerateSingleWindowPoStWithVanilla;
        var (call, destroy) = _library.Resolve(function);
        using var vanilla = new FfiBoxedSlices(_library, vanillaProofs, function.Name);
        var result = GenerateWithVanilla<FfiSingleWindowPoSt>(call, postType, randomness, proverId, vanilla, (nuint)partitionIndex);
        using var response = new FfiResponse<FfiSingleWindowPoSt>(result, destroy, function.Name);
        var faulty = response.Value.FaultySectors.ToUInt64Array();
        response.ThrowIfFailed(faulty);
        return new PartitionProofResult(CopyProof(response.Value.PartitionProof), faulty);
    }

    public PoStProofBytes MergeWindowPoStPartitionProofs(RegisteredPoStProof postType, IReadOnlyList<byte[]> partitionProofs)
    {
        SnarkArguments.ThrowIfUndefined(postType, nameof(postType));
        SnarkArguments.NonEmpty(partitionProofs, nameof(partitionProofs));
        var function = FilCryptoFunction.MergeWindowPoStPartitionProofs;
        var (call, destroy) = _library.Resolve(function);
        using var partitions = new FfiBoxedSlices(_library, partitionProofs, function.Name);
        fixed (FfiSlice* p = partitions.Items)
        {
            var result = ((delegate* unmanaged<int, FfiSlice, FfiResult<FfiPoStProof>*>)call)(
                (int)postType, FfiSlice.Borrow(p, partitions.Items.Length));
            using var response = new FfiResponse<FfiPoStProof>(result, destroy, function.Name);
            response.ThrowIfFailed();
            return CopyProof(response.Value);
        }
    }

    public bool VerifyWinningPoSt(
        ReadOnlySpan<byte> randomness,
        IReadOnlyList<PublicReplica> replicas,
        IReadOnlyList<PoStProofBytes> proofs,
        ReadOnlySpan<byte> proverId) =>
        VerifyPoSt(FilCryptoFunction.VerifyWinningPoSt, randomness, replicas, proofs, proverId);

    public bool VerifyWindowPoSt(
        ReadOnlySpan<byte> randomness,
        IReadOnlyList<PublicReplica> replicas,
        IReadOnlyList<PoStProofBytes> proofs,
        ReadOnlySpan<byte> proverId) =>
        VerifyPoSt(FilCryptoFunction.VerifyWindowPoSt, randomness, replicas, proofs, proverId);

    public int GetNumPartitionForFallbackPoSt(RegisteredPoStProof postType, int numSectors)
    {
        SnarkArguments.ThrowIfUndefined(postType, nameof(postType));
        ArgumentOutOfRangeException.ThrowIfNegative(numSectors);
        var function = FilCryptoFunction.GetNumPartitionForFallbackPoSt;
        var (call, destroy) = _library.Resolve(function);
        var result = ((delegate* unmanaged<int, nuint, FfiResult<nuint>*>)call)((int)postType, (nuint)numSectors);
        using var response = new FfiResponse<nuint>(result, destroy, function.Name);
        response.ThrowIfFailed();
        return checked((int)response.Value);
    }

    /// <summary>
    /// Calls one of the three PoSt generators, which share the parameters (type, <c>*randomness</c>, <c>*prover_id</c>,
    /// vanilla proofs) and, for <c>generate_single_window_post_with_vanilla</c>, a trailing <c>size_t</c> partition index.
    /// </summary>
    private static FfiResult<T>* GenerateWithVanilla<T>(
        nint call,
        RegisteredPoStProof postType,
        ReadOnlySpan<byte> randomness,
        ReadOnlySpan<byte> proverId,
        FfiBoxedSlices vanilla,
        nuint? partitionIndex)
        where T : unmanaged
    {
        fixed (byte* r = randomness)
        fixed (byte* prover = proverId)
        fixed (FfiSlice* v = vanilla.Items)
        {
            var slices = FfiSlice.Borrow(v, vanilla.Items.Length);
            return partitionIndex is { } partition
                ? ((delegate* unmanaged<int, byte*, byte*, FfiSlice, nuint, FfiResult<T>*>)call)((int)postType, r, prover, slices, partition)
                : ((delegate* unmanaged<int, byte*, byte*, FfiSlice, FfiResult<T>*>)call)((int)postType, r, prover, slices);
        }
    }

    /// <summary><c>verify_winning_post</c> and <c>verify_window_post</c> share one signature.</summary>
    private bool VerifyPoSt(
        FilCryptoFunction function,
        ReadOnlySpan<byte> randomness,
        IReadOnlyList<PublicReplica> replicas,
        IReadOnlyList<PoStProofBytes> proofs,
        ReadOnlySpan<byte> proverId)
    {
        SnarkArguments.PoStVerification(randomness, replicas, proofs, proverId);
        var (call, destroy) = _library.Resolve(function);
        var publicReplicas = new FfiPublicReplicaInfo[replicas.Count];
        for (var i = 0; i < replicas.Count; i++)
        {
            publicReplicas[i].RegisteredProof = (int)replicas[i].PostType;
            publicReplicas[i].SectorId = replicas[i].SectorId;
            fixed (byte* commR = publicReplicas[i].CommR)
            {
                replicas[i].CommR.Span.CopyTo(new Span<byte>(commR, SnarkArguments.ValueSize));
            }
        }

        using var proofBytes = new FfiBoxedSlices(_library, proofs.Select(p => p.Proof).ToArray(), function.Name);
        var postProofs = new FfiPoStProof[proofs.Count];
        for (var i = 0; i < proofs.Count; i++)
        {
            postProofs[i] = new FfiPoStProof { RegisteredProof = (int)proofs[i].PostType, Proof = proofBytes.Items[i] };
        }

        fixed (byte* r = randomness)
        fixed (byte* prover = proverId)
        fixed (FfiPublicReplicaInfo* rep = publicReplicas)
        fixed (FfiPoStProof* p = postProofs)
        {
            var result = ((delegate* unmanaged<byte*, FfiSlice, FfiSlice, byte*, FfiResult<byte>*>)call)(
                r, FfiSlice.Borrow(rep, publicReplicas.Length), FfiSlice.Borrow(p, postProofs.Length), prover);
            return Verdict(result, destroy, function.Name);
        }
    }

    /// <summary>Reads and frees a <c>Result_bool_t</c>.</summary>
    private static bool Verdict(FfiResult<byte>* result, nint destroy, string step)
    {
        using var response = new FfiResponse<byte>(result, destroy, step);
        response.ThrowIfFailed();
        return response.Value != 0;
    }

    /// <summary>Copies a <c>slice_boxed_PoStProof_t</c>.</summary>
    private static PoStProofBytes[] CopyProofs(FfiSlice proofs)
    {
        var native = new ReadOnlySpan<FfiPoStProof>(proofs.Ptr, checked((int)proofs.Len));
        var copies = new PoStProofBytes[native.Length];
        for (var i = 0; i < native.Length; i++)
        {
            copies[i] = CopyProof(native[i]);
        }

        return copies;
    }

    private static PoStProofBytes CopyProof(in FfiPoStProof proof) => new((RegisteredPoStProof)proof.RegisteredProof, proof.Proof.ToByteArray());
}
