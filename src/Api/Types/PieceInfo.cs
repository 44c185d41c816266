namespace Kiln.Api.Types;

/// <summary>
/// go-state-types <c>abi.PieceInfo</c>: <c>{"Size":2048,"PieceCID":{"/":"baga6ea4sea..."}}</c>; <c>Size</c> is the
/// padded piece size. A failed call returns <c>{"Size":0,"PieceCID":null}</c>.
/// </summary>
public readonly record struct PieceInfo(ulong Size, Cid PieceCID);
