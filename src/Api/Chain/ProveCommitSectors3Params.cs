namespace Kiln.Api.Chain;

/// <summary>
/// go-state-types builtin/v16/miner <c>ProveCommitSectors3Params</c>, the params of miner method 34. CBOR
/// (cbor_gen.go <c>ProveCommitSectors3Params.MarshalCBOR</c>): a 6-tuple SectorActivations (array), SectorProofs
/// (array of byte strings), AggregateProof (byte string, 0x40 when none), AggregateProofType (null or int64),
/// RequireActivationSuccess, RequireNotificationSuccess (booleans).
/// </summary>
public sealed record ProveCommitSectors3Params
{
    private const string Context = "ProveCommitSectors3 params";

    public IReadOnlyList<SectorActivationManifest> SectorActivations { get; init; } = [];

    /// <summary>One proof per activation, or empty with an aggregate.</summary>
    public IReadOnlyList<byte[]> SectorProofs { get; init; } = [];

#pragma warning disable CA1819 // the aggregate proof bytes, as go-state-types' []byte
    public byte[] AggregateProof { get; init; } = [];
#pragma warning restore CA1819

    /// <summary>abi.RegisteredAggregationProof (SnarkPackV2 = 1), null without an aggregate.</summary>
    public long? AggregateProofType { get; init; }

    public bool RequireActivationSuccess { get; init; }

    public bool RequireNotificationSuccess { get; init; }

    /// <exception cref="FormatException">More than 8192 activations or proofs, or a proof over 2 MiB.</exception>
    public byte[] ToCbor()
    {
        var activations = SectorActivations ?? [];
        var proofs = SectorProofs ?? [];
        var aggregate = AggregateProof ?? [];
        if (activations.Count > ChainCborReader.MaxArrayLength || proofs.Count > ChainCborReader.MaxArrayLength)
        {
            throw new FormatException($"{Context}: {activations.Count} activations and {proofs.Count} proofs: cbor-gen's limit is {ChainCborReader.MaxArrayLength}");
        }

        if (aggregate.Length > ChainCborReader.MaxByteStringLength || proofs.Any(p => p is not null && p.Length > ChainCborReader.MaxByteStringLength))
        {
            throw new FormatException($"{Context}: a proof is longer than cbor-gen's limit of {ChainCborReader.MaxByteStringLength} bytes");
        }

        var w = ChainCbor.NewWriter();
        w.WriteStartArray(6);
        w.WriteStartArray(activations.Count);
        foreach (var activation in activations)
        {
            activation.Write(w);
        }

        w.WriteEndArray();
        w.WriteStartArray(proofs.Count);
        foreach (var proof in proofs)
        {
            w.WriteByteString(proof ?? []);
        }

        w.WriteEndArray();
        w.WriteByteString(aggregate);
        if (AggregateProofType is { } type)
        {
            w.WriteInt64(type);
        }
        else
        {
            w.WriteNull();
        }

        w.WriteBoolean(RequireActivationSuccess);
        w.WriteBoolean(RequireNotificationSuccess);
        w.WriteEndArray();
        return w.Encode();
    }

    /// <exception cref="FormatException">Not these params; the message names the field.</exception>
    public static ProveCommitSectors3Params FromCbor(ReadOnlyMemory<byte> cbor)
    {
        var d = new ChainCborReader(cbor, Context);
        d.ReadTuple("", 6, "ProveCommitSectors3Params");
        var count = d.ReadSliceHeader("SectorActivations");
        var activations = new SectorActivationManifest[count];
        for (var i = 0; i < count; i++)
        {
            activations[i] = SectorActivationManifest.Read(d, CborPath.Index("SectorActivations", i));
        }

        d.ReadEndArray("SectorActivations");
        count = d.ReadSliceHeader("SectorProofs");
        var proofs = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            proofs[i] = d.ReadByteString(CborPath.Index("SectorProofs", i));
        }

        d.ReadEndArray("SectorProofs");
        var aggregate = d.ReadByteString("AggregateProof");
        long? aggregateType = d.TryReadNull("AggregateProofType") ? null : d.ReadInt64("AggregateProofType");
        var requireActivation = d.ReadBoolean("RequireActivationSuccess");
        var requireNotification = d.ReadBoolean("RequireNotificationSuccess");
        d.ReadEndArray("");
        d.ReadEnd();
        return new ProveCommitSectors3Params
        {
            SectorActivations = activations,
            SectorProofs = proofs,
            AggregateProof = aggregate,
            AggregateProofType = aggregateType,
            RequireActivationSuccess = requireActivation,
            RequireNotificationSuccess = requireNotification,
        };
    }

    public bool Equals(ProveCommitSectors3Params? other) =>
        other is not null
        && (SectorActivations ?? []).SequenceEqual(other.SectorActivations ?? [])
        && (SectorProofs ?? []).Count == (other.SectorProofs ?? []).Count
        && (SectorProofs ?? []).Zip(other.SectorProofs ?? []).All(p => (p.First ?? []).AsSpan().SequenceEqual(p.Second ?? []))
        && (AggregateProof ?? []).AsSpan().SequenceEqual(other.AggregateProof ?? [])
        && AggregateProofType == other.AggregateProofType
        && RequireActivationSuccess == other.RequireActivationSuccess
        && RequireNotificationSuccess == other.RequireNotificationSuccess;

    public override int GetHashCode() => HashCode.Combine(SectorActivations?.Count ?? 0, SectorProofs?.Count ?? 0, AggregateProofType);
}
