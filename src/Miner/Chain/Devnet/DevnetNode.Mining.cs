using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Kiln.Api.Chain;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Proofs.Hashing;

namespace Kiln.Miner.Chain.Devnet;

/// <summary>
/// Mining on the devnet chain: a deterministic beacon (one entry per epoch), base info with the miner's power from
/// its active, non-faulty sectors (network power set from <see cref="DevnetNodeOptions.WinRate"/>), a wallet that
/// signs with a deterministic stand-in for the worker's BLS key, and blocks built and accepted (kept in the state:
/// count, last height and CIDs). No signature or proof is verified.
/// </summary>
public sealed partial class DevnetNode
{
    /// <summary>go-state-types crypto.SigTypeBLS.</summary>
    private const int SigTypeBls = 2;

    /// <summary>How many blocks the miner has submitted on the devnet chain.</summary>
    public long BlocksSubmitted
    {
        get
        {
            lock (_lock)
            {
                return _state.Blocks.Count;
            }
        }
    }

    /// <summary>The CIDs of the last submitted blocks, oldest first.</summary>
    public IReadOnlyList<string> LastBlockCids
    {
        get
        {
            lock (_lock)
            {
                return [.. _state.Blocks.LastCids];
            }
        }
    }

    /// <summary>The worker's BLS key address on the devnet (protocol 3, a 48-byte key derived from the seed).</summary>
    public Address WorkerKey => Address.FromBytes([3, .. Expand("worker-key", 48)], _options.Network);

    public Task<MiningBaseInfo?> MinerGetBaseInfoAsync(Address miner, long epoch, IReadOnlyList<Cid> tipSetKey, CancellationToken ct)
    {
        CheckMiner(miner);
        lock (_lock)
        {
            Advance();
            var height = HeightOf(tipSetKey);
            if (epoch <= height)
            {
                throw new RpcException(1, $"mining base for epoch {epoch} on a tipset at height {height}: the round must be after its base");
            }

            var sectors = _state.Sectors.Where(s => !s.Value.Faulty && s.Value.Activation <= height).ToList();
            var power = new BigInteger(_options.SectorSize) * sectors.Count;
            return Task.FromResult<MiningBaseInfo?>(new MiningBaseInfo
            {
                MinerPower = power,
                NetworkPower = NetworkPowerFor(power),
                Sectors = [.. sectors.Select(s => new ExtendedSectorInfo
                {
                    SealProof = (Kiln.Proofs.RegisteredSealProof)s.Value.SealProof,
                    SectorNumber = s.Key,
                    SealedCID = Cid.Parse(s.Value.SealedCid),
                })],
                WorkerKey = WorkerKey,
                SectorSize = _options.SectorSize,
                PrevBeaconEntry = Beacon(epoch - 1),
                BeaconEntries = [Beacon(epoch)],
                EligibleForMining = power > 0,
            });
        }
    }

    public Task<BlockMsg> MinerCreateBlockAsync(BlockTemplate template, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(template);
        CheckMiner(template.Miner);
        var parent = HeightOf(template.Parents);
        if (template.Epoch <= parent)
        {
            throw new RpcException(1, $"block template at epoch {template.Epoch} is not after its parents' height {parent}");
        }

        var header = new BlockHeader
        {
            Miner = template.Miner,
            Ticket = template.Ticket,
            ElectionProof = template.Eproof,
            BeaconEntries = template.BeaconValues,
            WinPoStProof = template.WinningPoStProof,
            Parents = template.Parents,
            ParentWeight = parent,
            Height = template.Epoch,
            ParentStateRoot = TipSetKey(parent)[0],
            ParentMessageReceipts = TipSetKey(parent)[0],
            Messages = TipSetKey(parent)[0],
            BlsAggregate = new Signature(SigTypeBls, []),
            Timestamp = template.Timestamp,
            ForkSignaling = 0,
            ParentBaseFee = 100,
        };
        header = header with { BlockSig = Sign(WorkerKey, header.ToCbor()) };
        return Task.FromResult(new BlockMsg
        {
            Header = header,
            BlsMessages = [.. template.Messages.Where(m => m.Signature.Type == SigTypeBls).Select(m => m.Message.Cid())],
            SecpkMessages = [.. template.Messages.Where(m => m.Signature.Type != SigTypeBls).Select(m => m.ComputeCid())],
        });
    }

    public Task SyncSubmitBlockAsync(BlockMsg block, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(block);
        CheckMiner(block.Header.Miner);
        if (block.Header.ElectionProof is not { WinCount: > 0 } || block.Header.Ticket is null || block.Header.WinPoStProof is not { Count: > 0 })
        {
            throw new RpcException(1, $"block at height {block.Header.Height} has no winning election proof, ticket or Winning PoSt");
        }

        lock (_lock)
        {
            Advance();
            if (block.Header.Height <= _state.Blocks.LastHeight)
            {
                throw new RpcException(1, $"block at height {block.Header.Height}: the miner already submitted one at height {_state.Blocks.LastHeight}");
            }

            var log = _state.Blocks;
            log.Count++;
            log.LastHeight = block.Header.Height;
            log.LastCids.Add(block.Cid().ToString());
            if (log.LastCids.Count > DevnetState.BlockLog.Keep)
            {
                log.LastCids.RemoveAt(0);
            }

            Save();
        }

        return Task.CompletedTask;
    }

    /// <summary>The devnet's mpool holds no messages for blocks: messages are executed as they are pushed.</summary>
    public Task<IReadOnlyList<SignedMessage>> MpoolSelectAsync(IReadOnlyList<Cid> tipSetKey, double ticketQuality, CancellationToken ct)
    {
        _ = HeightOf(tipSetKey);
        return Task.FromResult<IReadOnlyList<SignedMessage>>([]);
    }

    public Task<Signature> WalletSignAsync(Address address, byte[] data, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (address != WorkerKey && address != WorkerAddress)
        {
            throw new RpcException(1, $"signing using key '{address}': key not found (the devnet wallet holds the worker key {WorkerKey})");
        }

        return Task.FromResult(Sign(WorkerKey, data));
    }

    public Task<BeaconEntry> StateGetBeaconEntryAsync(long epoch, CancellationToken ct)
    {
        if (epoch > CurrentEpoch + 1)
        {
            throw new RpcException(1, $"beacon entry for epoch {epoch} is not out yet (head {CurrentEpoch})");
        }

        return Task.FromResult(Beacon(epoch));
    }

    /// <summary>The devnet's drand: round = epoch, 96 bytes derived from the seed and the round.</summary>
    private BeaconEntry Beacon(long epoch)
    {
        var round = (ulong)Math.Max(0, epoch);
        var tag = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(tag, round);
        return new BeaconEntry(round, Expand("beacon/" + Convert.ToHexStringLower(tag), 96));
    }

    /// <summary>A deterministic 96-byte BLS-shaped signature: BLAKE2b-512 of key ‖ data, then of that, cut to 96 bytes.</summary>
    private static Signature Sign(Address key, byte[] data)
    {
        var first = Blake2b.HashData([.. key.ToBytes(), .. data]);
        return new Signature(SigTypeBls, [.. first, .. Blake2b.HashData(first).AsSpan(0, 32)]);
    }

    /// <summary>The network power that gives the miner's <paramref name="power"/> a win in <see cref="DevnetNodeOptions.WinRate"/> of rounds.</summary>
    private BigInteger NetworkPowerFor(BigInteger power)
    {
        var rate = Math.Clamp(_options.WinRate, 0, 1);
        if (power.IsZero || rate <= 0)
        {
            return BigInteger.Max(power, BigInteger.One) * 1_000_000_000;
        }

        // λ = 5 × power / network = −ln(1 − rate), at most 5.
        var lambda = Math.Min(ElectionProof.BlocksPerEpoch, -Math.Log(1 - rate));
        return new BigInteger((double)power * ElectionProof.BlocksPerEpoch / lambda);
    }

    private byte[] Expand(string kind, int length)
    {
        var output = new List<byte>();
        for (var i = 0; output.Count < length; i++)
        {
            output.AddRange(SHA256.HashData(Encoding.UTF8.GetBytes($"{_options.Seed}/{kind}/{i}")));
        }

        return [.. output.Take(length)];
    }
}
