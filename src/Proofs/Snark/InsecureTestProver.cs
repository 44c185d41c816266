using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using Kiln.Proofs.PoSt;
using Kiln.Proofs.Sdr;

namespace Kiln.Proofs.Snark;

/// <summary>
/// <b>Insecure test proofs — not valid on any network.</b> A stand-in for the SNARK steps on devnets and in tests,
/// where libfilcrypto and its parameter files are absent. A "proof" is a keyed hash of the public inputs under a
/// fixed, published key (<see cref="TestKey"/>), so anyone can forge one; it only lets the rest of the pipeline
/// (scheduling, wire formats, sizes, fault handling) run end to end.
/// </summary>
/// <remarks>
/// <para>
/// Each 192-byte partition proof is HMAC-SHA256 under <see cref="TestKey"/> expanded in counter mode:
/// d = HMAC(key, preimage); block j (j = 0..5) = HMAC(key, d ‖ partition u32 LE ‖ j u32 LE). Integers in
/// preimages are little-endian; every preimage starts with an ASCII domain tag.
/// </para>
/// <para>
/// C2 parses the C1 output JSON (<c>SealCommitPhase1Output</c>), checks its replica_id against the prover id and sector number it is
/// given (as the real circuit does) and hashes "kiln-insecure-seal" ‖ proof id u64 ‖ comm_r ‖ comm_d ‖ prover_id ‖
/// sector u64 ‖ ticket ‖ seed, one partition per 192 bytes (10 partitions at 32 and 64 GiB, 1 below — the
/// interactive PoRep counts, used for every variant here). <see cref="VerifySeal"/> recomputes the same bytes.
/// </para>
/// <para>
/// A PoSt partition proof hashes "kiln-insecure-winning-post" or "kiln-insecure-window-post" ‖ proof id u64 ‖
/// randomness ‖ prover_id ‖ partition u64 ‖ (sector u64 ‖ comm_r) per sector of the partition, reading sector id
/// (u64 LE at offset 0) and comm_r (bytes 8..40) from each vanilla proof (bincode <c>FallbackPoStSectorProof</c>). Verification recomputes it from
/// the public replicas — for Window PoSt in sector-number order, as rust's BTreeMap does, so provers must pass
/// vanilla proofs sorted by sector number, as Lotus does. An optional vanilla check stands in for the real
/// re-verification of vanilla proofs: sectors it rejects are reported in a <see cref="PoStFaultySectorsException"/>,
/// the way filecoin-ffi reports them.
/// </para>
/// </remarks>
public sealed class InsecureTestProver : ISnarkProver
{
    /// <summary>The value of <see cref="Name"/>.</summary>
    public const string ProverName = "insecure-test-proofs";

    private const int PartitionBlocks = PoStProofInfo.PartitionProofSize / SnarkArguments.ValueSize;

    private readonly Func<RegisteredPoStProof, ReadOnlyMemory<byte>, byte[], bool>? _vanillaCheck;

    /// <param name="vanillaCheck">
    /// Optional: called with (PoSt proof id, randomness, vanilla proof bytes) for every vanilla proof a PoSt SNARK step
    /// is given; returning false marks that sector faulty. Without it every vanilla proof is accepted.
    /// </param>
    public InsecureTestProver(Func<RegisteredPoStProof, ReadOnlyMemory<byte>, byte[], bool>? vanillaCheck = null)
    {
        _vanillaCheck = vanillaCheck;
    }

    /// <summary>The fixed, public HMAC-SHA256 key of these test proofs. Knowing it is enough to forge any proof.</summary>
    public static ReadOnlySpan<byte> TestKey => "kiln insecure-test-proofs v1: NOT A PROOF, NOT VALID ON ANY NETWORK"u8;

    /// <summary>"insecure-test-proofs": these proofs are not valid on any network.</summary>
    public string Name => ProverName;

    /// <summary>Always true: these proofs are not valid on any network.</summary>
    public bool IsInsecure => true;

    public byte[] SealCommitPhase2(ReadOnlySpan<byte> c1OutputJson, ulong sectorId, ReadOnlySpan<byte> proverId)
    {
        SnarkArguments.ThrowIfNot32(proverId, nameof(proverId));
        var c1 = C1Output.Parse(c1OutputJson);
        var replicaId = ReplicaId.Compute(proverId, sectorId, c1.Ticket, c1.CommD, SealProofInfo.Get(c1.Proof).PoRepId.Span);
        if (!replicaId.AsSpan().SequenceEqual(c1.ReplicaId))
        {
            throw new ProofsException(
                $"seal_commit_phase2: the C1 output's replica_id does not match sector {sectorId}, this prover id, its ticket and comm_d (C1 of another sector or miner?)");
        }

        return SealProof(c1.Proof, c1.CommR, c1.CommD, proverId, c1.Ticket, c1.Seed, sectorId);
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
        return CryptographicOperations.FixedTimeEquals(SealProof(proofType, commR, commD, proverId, ticket, seed, sectorId), proof);
    }

    public PoStProofBytes[] GenerateWinningPoStWithVanilla(
        RegisteredPoStProof postType,
        ReadOnlySpan<byte> randomness,
        ReadOnlySpan<byte> proverId,
        IReadOnlyList<byte[]> vanillaProofs)
    {
        SnarkArguments.PoStGeneration(postType, winning: true, randomness, proverId, vanillaProofs);
        var sectors = CheckedSectors(postType, randomness, vanillaProofs, "generate_winning_post_with_vanilla");
        return [new PoStProofBytes(postType, PoStProof(postType, randomness, proverId, sectors))];
    }

    public WindowPoStSnarkResult GenerateWindowPoStWithVanilla(
        RegisteredPoStProof postType,
        ReadOnlySpan<byte> randomness,
        ReadOnlySpan<byte> proverId,
        IReadOnlyList<byte[]> vanillaProofs)
    {
        SnarkArguments.PoStGeneration(postType, winning: false, randomness, proverId, vanillaProofs);
        var sectors = CheckedSectors(postType, randomness, vanillaProofs, "generate_window_post_with_vanilla");
        return new WindowPoStSnarkResult([new PoStProofBytes(postType, PoStProof(postType, randomness, proverId, sectors))], []);
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
        var perPartition = SnarkArguments.Info(postType, nameof(postType)).SectorsPerPartition;
        if (vanillaProofs.Count > perPartition)
        {
            throw new ProofsException(
                $"generate_single_window_post_with_vanilla: {vanillaProofs.Count} vanilla proofs for one partition of PoSt proof type {postType}, which holds at most {perPartition} sectors");
        }

        var sectors = CheckedSectors(postType, randomness, vanillaProofs, "generate_single_window_post_with_vanilla");
        var proof = new byte[PoStProofInfo.PartitionProofSize];
        PartitionProof(postType, randomness, proverId, partitionIndex, sectors, proof);
        return new PartitionProofResult(new PoStProofBytes(postType, proof), []);
    }

    public PoStProofBytes MergeWindowPoStPartitionProofs(RegisteredPoStProof postType, IReadOnlyList<byte[]> partitionProofs)
    {
        SnarkArguments.ThrowIfUndefined(postType, nameof(postType));
        SnarkArguments.NonEmpty(partitionProofs, nameof(partitionProofs));
        var merged = new byte[partitionProofs.Count * PoStProofInfo.PartitionProofSize];
        for (var i = 0; i < partitionProofs.Count; i++)
        {
            if (partitionProofs[i].Length != PoStProofInfo.PartitionProofSize)
            {
                throw new ProofsException(
                    $"merge_window_post_partition_proofs: partition proof {i} is {partitionProofs[i].Length} bytes, not {PoStProofInfo.PartitionProofSize}");
            }

            partitionProofs[i].CopyTo(merged, i * PoStProofInfo.PartitionProofSize);
        }

        return new PoStProofBytes(postType, merged);
    }

    public bool VerifyWinningPoSt(
        ReadOnlySpan<byte> randomness,
        IReadOnlyList<PublicReplica> replicas,
        IReadOnlyList<PoStProofBytes> proofs,
        ReadOnlySpan<byte> proverId)
    {
        SnarkArguments.PoStVerification(randomness, replicas, proofs, proverId);
        return VerifyPoSt(winning: true, randomness, replicas, proofs, proverId);
    }

    public bool VerifyWindowPoSt(
        ReadOnlySpan<byte> randomness,
        IReadOnlyList<PublicReplica> replicas,
        IReadOnlyList<PoStProofBytes> proofs,
        ReadOnlySpan<byte> proverId)
    {
        SnarkArguments.PoStVerification(randomness, replicas, proofs, proverId);
        return VerifyPoSt(winning: false, randomness, [.. replicas.OrderBy(r => r.SectorId)], proofs, proverId);
    }

    public int GetNumPartitionForFallbackPoSt(RegisteredPoStProof postType, int numSectors) => SnarkArguments.Info(postType, nameof(postType)).PartitionCount(numSectors);

    /// <summary>Partitions of a seal proof: 10 for 32 and 64 GiB sectors, 1 below (interactive PoRep).</summary>
    private static int SealPartitions(RegisteredSealProof proof) => SealProofInfo.Get(proof).SectorSize >= 32UL << 30 ? 10 : 1;

    private static byte[] SealProof(
        RegisteredSealProof proofType,
        ReadOnlySpan<byte> commR,
        ReadOnlySpan<byte> commD,
        ReadOnlySpan<byte> proverId,
        ReadOnlySpan<byte> ticket,
        ReadOnlySpan<byte> seed,
        ulong sectorId)
    {
        var preimage = new ArrayBufferWriter<byte>(256);
        preimage.Write("kiln-insecure-seal"u8);
        WriteUInt64(preimage, (ulong)proofType);
        preimage.Write(commR);
        preimage.Write(commD);
        preimage.Write(proverId);
        WriteUInt64(preimage, sectorId);
        preimage.Write(ticket);
        preimage.Write(seed);
        var partitions = SealPartitions(proofType);
        var proof = new byte[partitions * PoStProofInfo.PartitionProofSize];
        for (var k = 0; k < partitions; k++)
        {
            Expand(preimage.WrittenSpan, k, proof.AsSpan(k * PoStProofInfo.PartitionProofSize, PoStProofInfo.PartitionProofSize));
        }

        return proof;
    }

    /// <summary>Every partition of a PoSt over <paramref name="sectors"/>, concatenated (Winning: one partition).</summary>
    private static byte[] PoStProof(RegisteredPoStProof postType, ReadOnlySpan<byte> randomness, ReadOnlySpan<byte> proverId, IReadOnlyList<Sector> sectors)
    {
        var perPartition = SnarkArguments.Info(postType, nameof(postType)).SectorsPerPartition;
        var partitions = Math.Max(1, (sectors.Count + perPartition - 1) / perPartition);
        var proof = new byte[partitions * PoStProofInfo.PartitionProofSize];
        for (var k = 0; k < partitions; k++)
        {
            var first = k * perPartition;
            var members = sectors.Skip(first).Take(perPartition).ToArray();
            PartitionProof(postType, randomness, proverId, k, members, proof.AsSpan(k * PoStProofInfo.PartitionProofSize, PoStProofInfo.PartitionProofSize));
        }

        return proof;
    }

    private static void PartitionProof(
        RegisteredPoStProof postType,
        ReadOnlySpan<byte> randomness,
        ReadOnlySpan<byte> proverId,
        int partition,
        IReadOnlyList<Sector> sectors,
        Span<byte> output)
    {
        var preimage = new ArrayBufferWriter<byte>(128 + (sectors.Count * 40));
        preimage.Write(SnarkArguments.IsWinning(postType) ? "kiln-insecure-winning-post"u8 : "kiln-insecure-window-post"u8);
        WriteUInt64(preimage, (ulong)postType);
        preimage.Write(randomness);
        preimage.Write(proverId);
        WriteUInt64(preimage, (ulong)partition);
        foreach (var sector in sectors)
        {
            WriteUInt64(preimage, sector.Id);
            preimage.Write(sector.CommR.Span);
        }

        Expand(preimage.WrittenSpan, partition, output);
    }

    /// <summary>Recomputes the proof from the public replicas (in the order given) and compares.</summary>
    private static bool VerifyPoSt(
        bool winning,
        ReadOnlySpan<byte> randomness,
        IReadOnlyList<PublicReplica> replicas,
        IReadOnlyList<PoStProofBytes> proofs,
        ReadOnlySpan<byte> proverId)
    {
        var postType = replicas[0].PostType;
        if (SnarkArguments.IsWinning(postType) != winning || replicas.Any(r => r.PostType != postType) || proofs.Any(p => p.PostType != postType))
        {
            return false;
        }

        var sectors = replicas.Select(r => new Sector(r.SectorId, r.CommR)).ToArray();
        var expected = PoStProof(postType, randomness, proverId, sectors);
        var actual = proofs.Count == 1 ? proofs[0].Proof : proofs.SelectMany(p => p.Proof).ToArray();
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    /// <summary>The sectors of <paramref name="vanillaProofs"/>, after the optional vanilla check.</summary>
    /// <exception cref="PoStFaultySectorsException">The vanilla check rejected some proofs.</exception>
    private Sector[] CheckedSectors(RegisteredPoStProof postType, ReadOnlySpan<byte> randomness, IReadOnlyList<byte[]> vanillaProofs, string step)
    {
        var sectors = new Sector[vanillaProofs.Count];
        for (var i = 0; i < vanillaProofs.Count; i++)
        {
            var vanilla = vanillaProofs[i];
            if (vanilla.Length < 8 + SnarkArguments.ValueSize)
            {
                throw new ProofsException($"{step}: vanilla proof {i} is {vanilla.Length} bytes, too short to hold a sector id and comm_r");
            }

            sectors[i] = new Sector(BinaryPrimitives.ReadUInt64LittleEndian(vanilla), vanilla.AsMemory(8, SnarkArguments.ValueSize));
        }

        if (_vanillaCheck is { } check)
        {
            var randomnessCopy = randomness.ToArray();
            var faulty = new SortedSet<ulong>();
            for (var i = 0; i < vanillaProofs.Count; i++)
            {
                if (!check(postType, randomnessCopy, vanillaProofs[i]))
                {
                    faulty.Add(sectors[i].Id);
                }
            }

            if (faulty.Count > 0)
            {
                throw new PoStFaultySectorsException(
                    $"{step}: vanilla proofs rejected for sectors {string.Join(", ", faulty)} (faulty sectors)", [.. faulty]);
            }
        }

        return sectors;
    }

    /// <summary>One 192-byte partition proof: HMAC of the preimage, expanded in counter mode.</summary>
    private static void Expand(ReadOnlySpan<byte> preimage, int partition, Span<byte> output)
    {
        Span<byte> block = stackalloc byte[SnarkArguments.ValueSize + 8];
        HMACSHA256.HashData(TestKey, preimage, block);
        BinaryPrimitives.WriteUInt32LittleEndian(block[SnarkArguments.ValueSize..], (uint)partition);
        for (var j = 0; j < PartitionBlocks; j++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(block[(SnarkArguments.ValueSize + 4)..], (uint)j);
            HMACSHA256.HashData(TestKey, block, output.Slice(j * SnarkArguments.ValueSize, SnarkArguments.ValueSize));
        }
    }

    private static void WriteUInt64(ArrayBufferWriter<byte> writer, ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    private readonly record struct Sector(ulong Id, ReadOnlyMemory<byte> CommR);

    /// <summary>The public inputs of a C1 output (<c>SealCommitPhase1Output</c>); the vanilla proofs are not read.</summary>
    private sealed record C1Output(RegisteredSealProof Proof, byte[] CommR, byte[] CommD, byte[] ReplicaId, byte[] Seed, byte[] Ticket)
    {
        public static C1Output Parse(ReadOnlySpan<byte> json)
        {
            try
            {
                var reader = new Utf8JsonReader(json);
                using var doc = JsonDocument.ParseValue(ref reader);
                var root = doc.RootElement;
                return new C1Output(
                    SealProofInfo.ReadRegisteredProof(root, "seal_commit_phase2: the C1 output").Proof,
                    Bytes32(root, "comm_r"),
                    Bytes32(root, "comm_d"),
                    Bytes32(root, "replica_id"),
                    Bytes32(root, "seed"),
                    Bytes32(root, "ticket"));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new ProofsException("seal_commit_phase2: malformed C1 output: " + e.Message, e);
            }
        }

        private static byte[] Bytes32(JsonElement root, string name)
        {
            var bytes = root.GetProperty(name).EnumerateArray().Select(e => e.GetByte()).ToArray();
            return bytes.Length == SnarkArguments.ValueSize
                ? bytes
                : throw new FormatException($"{name} has {bytes.Length} elements, not {SnarkArguments.ValueSize}");
        }
    }
}
