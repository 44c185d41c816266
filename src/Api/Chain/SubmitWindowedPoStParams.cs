using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api.Chain;

/// <summary>
/// go-state-types builtin/v16/miner <c>SubmitWindowedPoStParams</c>, the params of miner method 5. CBOR (cbor_gen.go
/// <c>SubmitWindowedPoStParams.MarshalCBOR</c>): a 5-tuple Deadline (uint64), Partitions (array of
/// <see cref="PoStPartition"/>), Proofs (array of proof.PoStProof, each a 2-tuple PoStProof int64, ProofBytes byte
/// string — go-state-types proof/cbor_gen.go), ChainCommitEpoch (int64), ChainCommitRand (byte string).
/// </summary>
/// <param name="Deadline">The deadline index (below 48).</param>
/// <param name="Partitions">The partitions proven, each with the sectors it skipped.</param>
/// <param name="Proofs">The SNARK proofs (one for a current Window PoSt).</param>
/// <param name="ChainCommitEpoch">The epoch whose ticket randomness the message commits to.</param>
/// <param name="ChainCommitRand">That randomness (32 bytes on chain).</param>
public sealed record SubmitWindowedPoStParams(
    ulong Deadline,
    IReadOnlyList<PoStPartition> Partitions,
    IReadOnlyList<PoStProof> Proofs,
    long ChainCommitEpoch,
    byte[] ChainCommitRand)
{
    private const string Context = "SubmitWindowedPoSt params";

    /// <summary>The CBOR bytes of the params.</summary>
    /// <exception cref="FormatException">More than 8192 partitions or proofs.</exception>
    public byte[] ToCbor()
    {
        ArgumentNullException.ThrowIfNull(Partitions);
        ArgumentNullException.ThrowIfNull(Proofs);
        if (Partitions.Count > ChainCborReader.MaxArrayLength || Proofs.Count > ChainCborReader.MaxArrayLength)
        {
            throw new FormatException($"{Context}: deadline {Deadline}: {Partitions.Count} partitions and {Proofs.Count} proofs, more than cbor-gen's limit of {ChainCborReader.MaxArrayLength}");
        }

        var w = ChainCbor.NewWriter();
        w.WriteStartArray(5);
        w.WriteUInt64(Deadline);
        w.WriteStartArray(Partitions.Count);
        foreach (var partition in Partitions)
        {
            partition.Write(w);
        }

        w.WriteEndArray();
        w.WriteStartArray(Proofs.Count);
        foreach (var proof in Proofs)
        {
            w.WriteStartArray(2);
            w.WriteInt64((long)proof.ProofType);
            w.WriteByteString(proof.ProofBytes ?? []);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteInt64(ChainCommitEpoch);
        w.WriteByteString(ChainCommitRand ?? []);
        w.WriteEndArray();
        return w.Encode();
    }

    /// <summary>Decodes the params strictly.</summary>
    /// <exception cref="FormatException">Not these params; the message names the field ("Partitions[1].Skipped: …").</exception>
    public static SubmitWindowedPoStParams FromCbor(ReadOnlyMemory<byte> cbor)
    {
        var d = new ChainCborReader(cbor, Context);
        d.ReadTuple("", 5, "SubmitWindowedPoStParams");
        var deadline = d.ReadUInt64("Deadline");
        var count = d.ReadSliceHeader("Partitions");
        var partitions = new PoStPartition[count];
        for (var i = 0; i < count; i++)
        {
            partitions[i] = PoStPartition.Read(d, CborPath.Index("Partitions", i));
        }

        d.ReadEndArray("Partitions");
        count = d.ReadSliceHeader("Proofs");
        var proofs = new PoStProof[count];
        for (var i = 0; i < count; i++)
        {
            var path = CborPath.Index("Proofs", i);
            d.ReadTuple(path, 2, "PoStProof");
            var type = d.ReadInt64(CborPath.Field(path, "PoStProof"));
            var bytes = d.ReadByteString(CborPath.Field(path, "ProofBytes"));
            d.ReadEndArray(path);
            proofs[i] = new PoStProof((RegisteredPoStProof)type, bytes);
        }

        d.ReadEndArray("Proofs");
        var epoch = d.ReadInt64("ChainCommitEpoch");
        var rand = d.ReadByteString("ChainCommitRand");
        d.ReadEndArray("");
        d.ReadEnd();
        return new SubmitWindowedPoStParams(deadline, partitions, proofs, epoch, rand);
    }

    /// <inheritdoc/>
    public bool Equals(SubmitWindowedPoStParams? other) =>
        other is not null && Deadline == other.Deadline && Partitions.SequenceEqual(other.Partitions)
        && Proofs.Count == other.Proofs.Count
        && Proofs.Zip(other.Proofs).All(p => p.First.ProofType == p.Second.ProofType && (p.First.ProofBytes ?? []).AsSpan().SequenceEqual(p.Second.ProofBytes ?? []))
        && ChainCommitEpoch == other.ChainCommitEpoch && (ChainCommitRand ?? []).AsSpan().SequenceEqual(other.ChainCommitRand ?? []);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Deadline, Partitions.Count, ChainCommitEpoch);
}
