using System.Formats.Cbor;

namespace Kiln.Api.Chain;

/// <summary>go-state-types builtin/v16/miner <c>SectorActivationManifest</c>: CBOR 2-tuple SectorNumber, Pieces (array).</summary>
public sealed record SectorActivationManifest(ulong SectorNumber, IReadOnlyList<PieceActivationManifest> Pieces)
{
    public bool Equals(SectorActivationManifest? other) =>
        other is not null && SectorNumber == other.SectorNumber && (Pieces ?? []).SequenceEqual(other.Pieces ?? []);

    public override int GetHashCode() => HashCode.Combine(SectorNumber, Pieces?.Count ?? 0);

    internal void Write(CborWriter w)
    {
        var pieces = Pieces ?? [];
        w.WriteStartArray(2);
        w.WriteUInt64(SectorNumber);
        w.WriteStartArray(pieces.Count);
        foreach (var piece in pieces)
        {
            piece.Write(w);
        }

        w.WriteEndArray();
        w.WriteEndArray();
    }

    internal static SectorActivationManifest Read(ChainCborReader d, string path)
    {
        d.ReadTuple(path, 2, "SectorActivationManifest");
        var number = d.ReadUInt64(CborPath.Field(path, "SectorNumber"));
        var piecesPath = CborPath.Field(path, "Pieces");
        var count = d.ReadSliceHeader(piecesPath);
        var pieces = new PieceActivationManifest[count];
        for (var i = 0; i < count; i++)
        {
            pieces[i] = PieceActivationManifest.Read(d, CborPath.Index(piecesPath, i));
        }

        d.ReadEndArray(piecesPath);
        d.ReadEndArray(path);
        return new SectorActivationManifest(number, pieces);
    }
}
