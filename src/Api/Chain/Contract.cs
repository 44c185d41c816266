// The chain wire types: signatures first, bodies to follow (each type moves to its own file with its implementation).
#pragma warning disable CA1822, IDE0060, CA1024, CA1716, CA1720, CA1819, CS1591
using System.Formats.Cbor;
using System.Numerics;
using System.Text.Json.Serialization;
using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api.Chain;

public enum AddressProtocol : byte
{
    Id = 0,
    Secp256k1 = 1,
    Actor = 2,
    Bls = 3,
    Delegated = 4,
}

/// <summary>go-address Address. JSON: its text.</summary>
public readonly record struct Address
{
    public char Network => throw new NotImplementedException();
    public bool IsDefined => throw new NotImplementedException();
    public AddressProtocol Protocol => throw new NotImplementedException();
    /// <summary>Protocol byte ‖ payload (go-address Bytes()).</summary>
    public byte[] ToBytes() => throw new NotImplementedException();
    /// <summary>The actor id of an ID address.</summary>
    public ulong Id => throw new NotImplementedException();
    public static Address FromId(ulong id, char network = 'f') => throw new NotImplementedException();
    public static Address FromBytes(ReadOnlySpan<byte> bytes, char network = 'f') => throw new NotImplementedException();
    public static Address Parse(string text) => throw new NotImplementedException();
    public static bool TryParse(string? text, out Address address) => throw new NotImplementedException();
    /// <summary>The address with another network prefix.</summary>
    public Address WithNetwork(char network) => throw new NotImplementedException();
    public override string ToString() => throw new NotImplementedException();
    /// <summary>go-address MarshalCBOR: a byte string of <see cref="ToBytes"/>.</summary>
    public byte[] ToCbor() => throw new NotImplementedException();
}

/// <summary>go-state-types big.Int / abi.TokenAmount in attoFIL. JSON: decimal string. CBOR: byte string, empty for 0, else sign byte (0 +, 1 −) ‖ big-endian magnitude.</summary>
public readonly record struct TokenAmount(BigInteger Atto) : IComparable<TokenAmount>
{
    public static TokenAmount Zero => default;
    public static TokenAmount FromFil(decimal fil) => throw new NotImplementedException();
    /// <summary>Lotus types.ParseFIL: "0.5", "0.5 FIL", "5 nFIL", "12 attoFIL" …</summary>
    public static TokenAmount Parse(string text) => throw new NotImplementedException();
    /// <summary>Lotus types.FIL String(): "0.5 FIL".</summary>
    public override string ToString() => throw new NotImplementedException();
    public int CompareTo(TokenAmount other) => Atto.CompareTo(other.Atto);
    public static TokenAmount operator +(TokenAmount a, TokenAmount b) => new(a.Atto + b.Atto);
    public static TokenAmount operator -(TokenAmount a, TokenAmount b) => new(a.Atto - b.Atto);
    public static TokenAmount operator *(TokenAmount a, long n) => new(a.Atto * n);
    public static bool operator <(TokenAmount a, TokenAmount b) => a.Atto < b.Atto;
    public static bool operator >(TokenAmount a, TokenAmount b) => a.Atto > b.Atto;
    public static bool operator <=(TokenAmount a, TokenAmount b) => a.Atto <= b.Atto;
    public static bool operator >=(TokenAmount a, TokenAmount b) => a.Atto >= b.Atto;
}

/// <summary>cbor-gen primitives over System.Formats.Cbor (canonical: shortest heads, definite lengths).</summary>
public static class ChainCbor
{
    public static CborWriter NewWriter() => new(CborConformanceMode.Canonical, convertIndefiniteLengthEncodings: false, allowMultipleRootLevelValues: false);
    public static CborReader NewReader(ReadOnlyMemory<byte> cbor) => new(cbor, CborConformanceMode.Strict);
    /// <summary>Tag 42, byte string 0x00 ‖ CID bytes.</summary>
    public static void WriteCid(CborWriter w, Cid cid) => throw new NotImplementedException();
    public static Cid ReadCid(CborReader r) => throw new NotImplementedException();
    /// <summary>A *cid.Cid: null (0xf6) or the CID.</summary>
    public static void WriteNullableCid(CborWriter w, Cid? cid) => throw new NotImplementedException();
    public static Cid? ReadNullableCid(CborReader r) => throw new NotImplementedException();
    /// <summary>abi.ChainEpoch / int64: major 0 when ≥ 0, else major 1.</summary>
    public static void WriteInt64(CborWriter w, long value) => throw new NotImplementedException();
    public static long ReadInt64(CborReader r) => throw new NotImplementedException();
    public static void WriteBigInt(CborWriter w, TokenAmount value) => throw new NotImplementedException();
    public static TokenAmount ReadBigInt(CborReader r) => throw new NotImplementedException();
    public static void WriteAddress(CborWriter w, Address address) => throw new NotImplementedException();
    public static Address ReadAddress(CborReader r, char network = 'f') => throw new NotImplementedException();
    /// <summary>go-bitfield MarshalCBOR: a byte string of the RLE+ encoding.</summary>
    public static void WriteBitField(CborWriter w, BitField bits) => throw new NotImplementedException();
    public static BitField ReadBitField(CborReader r) => throw new NotImplementedException();
    /// <summary>CIDv1 dag-cbor (0x71) blake2b-256 (0xb220) of <paramref name="cbor"/>: the CID of a message or block.</summary>
    public static Cid DagCborCid(ReadOnlySpan<byte> cbor) => throw new NotImplementedException();
}

/// <summary>Miner actor method numbers (go-state-types builtin/methods.go MethodsMiner).</summary>
public static class MinerMethods
{
    public const ulong SubmitWindowedPoSt = 5;
    public const ulong DeclareFaults = 10;
    public const ulong DeclareFaultsRecovered = 11;
    public const ulong PreCommitSectorBatch2 = 28;
    public const ulong ProveCommitSectors3 = 34;
}

/// <summary>Exit codes (go-state-types exitcode).</summary>
public static class ExitCodes
{
    public const long Ok = 0;
    public const long SysErrSenderInvalid = 1;
    public const long SysErrSenderStateInvalid = 2;
    public const long SysErrIllegalInstruction = 4;
    public const long SysErrInvalidReceiver = 5;
    public const long SysErrInsufficientFunds = 6;
    public const long SysErrOutOfGas = 7;
    public const long ErrIllegalArgument = 16;
    public const long ErrNotFound = 17;
    public const long ErrForbidden = 18;
    public const long ErrInsufficientFunds = 19;
    public const long ErrIllegalState = 20;
    /// <summary>The name Lotus prints (exitcode.ExitCode String()), e.g. "SysErrOutOfGas(7)".</summary>
    public static string Describe(long code) => throw new NotImplementedException();
}

/// <summary>Lotus types.Message. JSON as Lotus writes it (with "CID"); CBOR a 10-tuple.</summary>
public sealed record ChainMessage
{
    public ulong Version { get; init; }
    public Address To { get; init; }
    public Address From { get; init; }
    public ulong Nonce { get; init; }
    public TokenAmount Value { get; init; }
    public long GasLimit { get; init; }
    public TokenAmount GasFeeCap { get; init; }
    public TokenAmount GasPremium { get; init; }
    public ulong Method { get; init; }
    public byte[] Params { get; init; } = [];
    /// <summary>The CBOR 10-tuple (Lotus types.Message MarshalCBOR).</summary>
    public byte[] ToCbor() => throw new NotImplementedException();
    public static ChainMessage FromCbor(ReadOnlyMemory<byte> cbor, char network = 'f') => throw new NotImplementedException();
    /// <summary>The message's CID (of <see cref="ToCbor"/>).</summary>
    public Cid Cid() => throw new NotImplementedException();
}

/// <summary>Lotus crypto.Signature JSON: {"Type": 1|2|3, "Data": base64}.</summary>
public sealed record Signature(int Type, byte[] Data);

/// <summary>Lotus types.SignedMessage JSON: Message, Signature, CID.</summary>
public sealed record SignedMessage(ChainMessage Message, Signature Signature)
{
    [JsonPropertyName("CID")]
    public Cid Cid { get; init; }
}

/// <summary>Lotus api.MessageSendSpec.</summary>
public sealed record MessageSendSpec
{
    public TokenAmount MaxFee { get; init; }
    public Guid MsgUuid { get; init; }
    public bool MaximizeFeeCap { get; init; }
}

/// <summary>Lotus types.MessageReceipt JSON.</summary>
public sealed record MessageReceipt(long ExitCode, byte[]? Return, long GasUsed)
{
    public Cid? EventsRoot { get; init; }
}

/// <summary>Lotus api.MsgLookup: where a message landed and its receipt.</summary>
public sealed record MsgLookup(Cid Message, MessageReceipt Receipt, IReadOnlyList<Cid> TipSet, long Height);

/// <summary>Lotus api.MinerInfo (the fields sealing and proving read).</summary>
public sealed record MinerInfo
{
    public Address Owner { get; init; }
    public Address Worker { get; init; }
    public IReadOnlyList<Address>? ControlAddresses { get; init; }
    public Address Beneficiary { get; init; }
    public ulong SectorSize { get; init; }
    public ulong WindowPoStPartitionSectors { get; init; }
    public RegisteredPoStProof WindowPoStProofType { get; init; }
    public string? PeerId { get; init; }
}

/// <summary>go-state-types miner.SectorPreCommitInfo: CBOR 7-tuple; JSON Lotus's field names.</summary>
public sealed record SectorPreCommitInfo
{
    public RegisteredSealProof SealProof { get; init; }
    public ulong SectorNumber { get; init; }
    public Cid SealedCID { get; init; }
    public long SealRandEpoch { get; init; }
    public IReadOnlyList<ulong>? DealIDs { get; init; }
    public long Expiration { get; init; }
    public Cid? UnsealedCid { get; init; }
    public void Write(CborWriter w) => throw new NotImplementedException();
    public static SectorPreCommitInfo Read(CborReader r) => throw new NotImplementedException();
}

/// <summary>go-state-types miner.SectorPreCommitOnChainInfo.</summary>
public sealed record SectorPreCommitOnChainInfo(SectorPreCommitInfo Info, TokenAmount PreCommitDeposit, long PreCommitEpoch);

/// <summary>go-state-types miner.PreCommitSectorBatchParams2: a 1-tuple of the sectors' infos.</summary>
public sealed record PreCommitSectorBatchParams2(IReadOnlyList<SectorPreCommitInfo> Sectors)
{
    public byte[] ToCbor() => throw new NotImplementedException();
    public static PreCommitSectorBatchParams2 FromCbor(ReadOnlyMemory<byte> cbor) => throw new NotImplementedException();
}

/// <summary>go-state-types miner.VerifiedAllocationKey.</summary>
public sealed record VerifiedAllocationKey(ulong Client, ulong Id);

/// <summary>go-state-types miner.DataActivationNotification.</summary>
public sealed record DataActivationNotification(Address Address, byte[] Payload);

/// <summary>go-state-types miner.PieceActivationManifest.</summary>
public sealed record PieceActivationManifest(Cid CID, ulong Size, VerifiedAllocationKey? VerifiedAllocationKey, IReadOnlyList<DataActivationNotification> Notify);

/// <summary>go-state-types miner.SectorActivationManifest.</summary>
public sealed record SectorActivationManifest(ulong SectorNumber, IReadOnlyList<PieceActivationManifest> Pieces);

/// <summary>go-state-types miner.ProveCommitSectors3Params: a 6-tuple.</summary>
public sealed record ProveCommitSectors3Params
{
    public IReadOnlyList<SectorActivationManifest> SectorActivations { get; init; } = [];
    /// <summary>One proof per activation, or empty with an aggregate.</summary>
    public IReadOnlyList<byte[]> SectorProofs { get; init; } = [];
    public byte[] AggregateProof { get; init; } = [];
    /// <summary>abi.RegisteredAggregationProof (SnarkPackV2 = 1), null without an aggregate.</summary>
    public long? AggregateProofType { get; init; }
    public bool RequireActivationSuccess { get; init; }
    public bool RequireNotificationSuccess { get; init; }
    public byte[] ToCbor() => throw new NotImplementedException();
    public static ProveCommitSectors3Params FromCbor(ReadOnlyMemory<byte> cbor) => throw new NotImplementedException();
}

/// <summary>go-state-types builtin/batch.BatchReturn: success count and the failures (index into the batch, exit code).</summary>
public sealed record BatchReturn(ulong SuccessCount, IReadOnlyList<(ulong Index, long ExitCode)> FailCodes)
{
    public byte[] ToCbor() => throw new NotImplementedException();
    public static BatchReturn FromCbor(ReadOnlyMemory<byte> cbor) => throw new NotImplementedException();
}

/// <summary>Lotus miner.SectorOnChainInfo JSON (the fields Kiln reads).</summary>
public sealed record SectorOnChainInfo
{
    public ulong SectorNumber { get; init; }
    public RegisteredSealProof SealProof { get; init; }
    public Cid SealedCID { get; init; }
    public long Activation { get; init; }
    public long Expiration { get; init; }
    public TokenAmount DealWeight { get; init; }
    public TokenAmount VerifiedDealWeight { get; init; }
    public TokenAmount InitialPledge { get; init; }
    public Cid? SectorKeyCID { get; init; }
}

/// <summary>Lotus miner.SectorLocation (StateSectorPartition): the deadline and partition holding a sector.</summary>
public sealed record SectorPartitionLocation(ulong Deadline, ulong Partition);

/// <summary>Lotus api.NetworkParams (the fields Kiln reads).</summary>
public sealed record NetworkParams
{
    public string NetworkName { get; init; } = "";
    public ulong BlockDelaySecs { get; init; }
    public long PreCommitChallengeDelay { get; init; }
}
