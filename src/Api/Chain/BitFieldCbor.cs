using Kiln.Api.Types;

namespace Kiln.Api.Chain;

/// <summary>go-bitfield <c>MarshalCBOR</c>/<c>UnmarshalCBOR</c> inside a tuple, errors naming the field.</summary>
internal static class BitFieldCbor
{
    /// <summary>go-bitfield refuses RLE+ longer than this many bytes (go-bitfield bitfield.go <c>UnmarshalCBOR</c>: 8192).</summary>
    public const int MaxBytes = 8192;

    public static BitField Read(ChainCborReader d, string field)
    {
        var bytes = d.ReadByteString(field, MaxBytes);
        var w = ChainCbor.NewWriter();
        w.WriteByteString(bytes);
        try
        {
            return ChainCbor.ReadBitField(ChainCbor.NewReader(w.Encode()));
        }
        catch (FormatException e)
        {
            const string Prefix = "bitfield: ";
            var problem = e.Message.StartsWith(Prefix, StringComparison.Ordinal) ? e.Message[Prefix.Length..] : e.Message;
            throw d.Error(field, problem);
        }
    }
}
