using Kiln.Testing.Chain.Cbor;

namespace Kiln.Testing.Chain;

/// <summary>
/// Decodes miner-actor method params field by field against go-state-types builtin/v16/miner cbor_gen.go (tuple
/// encoding), with the strict decoder; a wrong shape is a <see cref="FormatException"/> naming the field.
/// </summary>
public static class MinerParamsDecoder
{
    /// <summary>builtin.MethodsMiner.SubmitWindowedPoSt.</summary>
    public const ulong SubmitWindowedPoSt = 5;

    /// <summary>builtin.MethodsMiner.DeclareFaults.</summary>
    public const ulong DeclareFaults = 10;

    /// <summary>builtin.MethodsMiner.DeclareFaultsRecovered.</summary>
    public const ulong DeclareFaultsRecovered = 11;

    /// <summary>builtin.MethodsMiner.PreCommitSectorBatch2.</summary>
    public const ulong PreCommitSectorBatch2 = 28;

    /// <summary>builtin.MethodsMiner.ProveCommitSectors3.</summary>
    public const ulong ProveCommitSectors3 = 34;

    /// <summary><c>PreCommitSectorBatchParams2</c>: a 1-tuple (Sectors) of 7-tuple <c>SectorPreCommitInfo</c>s.</summary>
    public static IReadOnlyList<DecodedSectorPreCommit> DecodePreCommitSectorBatch2(ReadOnlyMemory<byte> cbor)
    {
        var root = StrictCborDecoder.Decode(cbor).AsArray("PreCommitSectorBatchParams2", 1);
        var sectors = root[0].AsArray("PreCommitSectorBatchParams2.Sectors");
        var decoded = new List<DecodedSectorPreCommit>(sectors.Count);
        for (var i = 0; i < sectors.Count; i++)
        {
            var at = $"Sectors[{i}]";
            var f = sectors[i].AsArray(at + " (SectorPreCommitInfo)", 7);
            var sealedCid = f[2].AsCid(at + ".SealedCID");
            var (codec, hash, digest) = ParseCid(sealedCid, at + ".SealedCID");
            if (codec != CidText.FilCommitmentSealed || hash != CidText.PoseidonBls12381A2Fc1 || digest.Length != 32)
            {
                throw new FormatException($"{at}.SealedCID: codec 0x{codec:x} multihash 0x{hash:x} of {digest.Length} bytes; a sealed CID is codec 0xf102, multihash 0xb401, 32 bytes");
            }

            var deals = f[4].AsArray(at + ".DealIDs");
            byte[]? unsealed = null;
            if (!f[6].IsNull)
            {
                unsealed = f[6].AsCid(at + ".UnsealedCid");
                var (uc, uh, ud) = ParseCid(unsealed, at + ".UnsealedCid");
                if (uc != CidText.FilCommitmentUnsealed || uh != CidText.Sha256Trunc254Padded || ud.Length != 32)
                {
                    throw new FormatException($"{at}.UnsealedCid: codec 0x{uc:x} multihash 0x{uh:x} of {ud.Length} bytes; an unsealed CID is codec 0xf101, multihash 0x1012, 32 bytes");
                }
            }

            decoded.Add(new DecodedSectorPreCommit(
                f[0].AsInt64(at + ".SealProof"),
                f[1].AsUInt64(at + ".SectorNumber"),
                sealedCid,
                digest,
                f[3].AsInt64(at + ".SealRandEpoch"),
                [.. deals.Select((d, j) => d.AsUInt64($"{at}.DealIDs[{j}]"))],
                f[5].AsInt64(at + ".Expiration"),
                unsealed));
        }

        return decoded;
    }

    /// <summary>
    /// <c>ProveCommitSectors3Params</c>: 6-tuple (SectorActivations, SectorProofs, AggregateProof, AggregateProofType,
    /// RequireActivationSuccess, RequireNotificationSuccess); a <c>SectorActivationManifest</c> is (SectorNumber, Pieces),
    /// a <c>PieceActivationManifest</c> (CID, Size, VerifiedAllocationKey, Notify).
    /// </summary>
    public static (IReadOnlyList<DecodedSectorActivation> Activations, IReadOnlyList<byte[]> Proofs, byte[] Aggregate, long? AggregateType, bool RequireActivation, bool RequireNotification)
        DecodeProveCommitSectors3(ReadOnlyMemory<byte> cbor)
    {
        var root = StrictCborDecoder.Decode(cbor).AsArray("ProveCommitSectors3Params", 6);
        var activations = new List<DecodedSectorActivation>();
        var manifests = root[0].AsArray("ProveCommitSectors3Params.SectorActivations");
        for (var i = 0; i < manifests.Count; i++)
        {
            var at = $"SectorActivations[{i}]";
            var m = manifests[i].AsArray(at + " (SectorActivationManifest)", 2);
            var pieces = new List<(string, ulong)>();
            var rawPieces = m[1].AsArray(at + ".Pieces");
            for (var j = 0; j < rawPieces.Count; j++)
            {
                var pat = $"{at}.Pieces[{j}]";
                var p = rawPieces[j].AsArray(pat + " (PieceActivationManifest)", 4);
                var cid = p[0].AsCid(pat + ".CID");
                _ = ParseCid(cid, pat + ".CID");
                var size = p[1].AsUInt64(pat + ".Size");
                if (!p[2].IsNull)
                {
                    var key = p[2].AsArray(pat + ".VerifiedAllocationKey", 2);
                    _ = key[0].AsUInt64(pat + ".VerifiedAllocationKey.Client");
                    _ = key[1].AsUInt64(pat + ".VerifiedAllocationKey.ID");
                }

                foreach (var n in p[3].AsArray(pat + ".Notify"))
                {
                    var note = n.AsArray(pat + ".Notify[] (DataActivationNotification)", 2);
                    _ = AddressText.ToText(note[0].AsBytes(pat + ".Notify[].Address"), 'f');
                    _ = note[1].AsBytes(pat + ".Notify[].Payload");
                }

                pieces.Add((CidText.Encode(cid), size));
            }

            activations.Add(new DecodedSectorActivation(m[0].AsUInt64(at + ".SectorNumber"), pieces));
        }

        var proofs = root[1].AsArray("ProveCommitSectors3Params.SectorProofs").Select((p, i) => p.AsBytes($"SectorProofs[{i}]")).ToList();
        var aggregate = root[2].AsBytes("ProveCommitSectors3Params.AggregateProof");
        long? aggregateType = root[3].IsNull ? null : root[3].AsInt64("ProveCommitSectors3Params.AggregateProofType");
        return (activations, proofs, aggregate, aggregateType,
            root[4].AsBoolean("ProveCommitSectors3Params.RequireActivationSuccess"),
            root[5].AsBoolean("ProveCommitSectors3Params.RequireNotificationSuccess"));
    }

    /// <summary>
    /// <c>SubmitWindowedPoStParams</c>: a 5-tuple (Deadline uint64, Partitions [(Index uint64, Skipped bitfield)],
    /// Proofs [(PoStProof int64, ProofBytes bytes)], ChainCommitEpoch int64, ChainCommitRand bytes).
    /// </summary>
    public static (ulong Deadline, IReadOnlyList<DecodedPoStPartition> Partitions, IReadOnlyList<DecodedPoStProof> Proofs, long ChainCommitEpoch, byte[] ChainCommitRand)
        DecodeSubmitWindowedPoSt(ReadOnlyMemory<byte> cbor)
    {
        var root = StrictCborDecoder.Decode(cbor).AsArray("SubmitWindowedPoStParams", 5);
        var deadline = root[0].AsUInt64("SubmitWindowedPoStParams.Deadline");
        var partitions = new List<DecodedPoStPartition>();
        var rawPartitions = root[1].AsArray("SubmitWindowedPoStParams.Partitions");
        for (var i = 0; i < rawPartitions.Count; i++)
        {
            var at = $"Partitions[{i}]";
            var f = rawPartitions[i].AsArray(at + " (PoStPartition)", 2);
            partitions.Add(new DecodedPoStPartition(f[0].AsUInt64(at + ".Index"), RlePlusBits.Decode(f[1].AsBytes(at + ".Skipped"), at + ".Skipped")));
        }

        var proofs = new List<DecodedPoStProof>();
        var rawProofs = root[2].AsArray("SubmitWindowedPoStParams.Proofs");
        for (var i = 0; i < rawProofs.Count; i++)
        {
            var at = $"Proofs[{i}]";
            var f = rawProofs[i].AsArray(at + " (PoStProof)", 2);
            proofs.Add(new DecodedPoStProof(f[0].AsInt64(at + ".PoStProof"), f[1].AsBytes(at + ".ProofBytes")));
        }

        return (deadline, partitions, proofs,
            root[3].AsInt64("SubmitWindowedPoStParams.ChainCommitEpoch"),
            root[4].AsBytes("SubmitWindowedPoStParams.ChainCommitRand"));
    }

    /// <summary>
    /// <c>DeclareFaultsParams</c> (<paramref name="recovered"/> false: a 1-tuple Faults of <c>FaultDeclaration</c>s) or
    /// <c>DeclareFaultsRecoveredParams</c> (true: Recoveries of <c>RecoveryDeclaration</c>s); each declaration is a
    /// 3-tuple (Deadline uint64, Partition uint64, Sectors bitfield).
    /// </summary>
    public static IReadOnlyList<DecodedDeclaration> DecodeDeclarations(ReadOnlyMemory<byte> cbor, bool recovered)
    {
        var (type, list, item) = recovered
            ? ("DeclareFaultsRecoveredParams", "Recoveries", "RecoveryDeclaration")
            : ("DeclareFaultsParams", "Faults", "FaultDeclaration");
        var root = StrictCborDecoder.Decode(cbor).AsArray(type, 1);
        var raw = root[0].AsArray($"{type}.{list}");
        var decoded = new List<DecodedDeclaration>(raw.Count);
        for (var i = 0; i < raw.Count; i++)
        {
            var at = $"{list}[{i}]";
            var f = raw[i].AsArray($"{at} ({item})", 3);
            decoded.Add(new DecodedDeclaration(
                f[0].AsUInt64(at + ".Deadline"),
                f[1].AsUInt64(at + ".Partition"),
                RlePlusBits.Decode(f[2].AsBytes(at + ".Sectors"), at + ".Sectors")));
        }

        return decoded;
    }

    private static (ulong Codec, ulong Hash, byte[] Digest) ParseCid(byte[] cid, string what)
    {
        try
        {
            return CidText.Parse(cid);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{what}: {e.Message}", e);
        }
    }
}
