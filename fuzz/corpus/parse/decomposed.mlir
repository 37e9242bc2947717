module {
  func.func @llama3_8b_prefill(%arg0: tensor<1x32x512x128xbf16>, %arg1: tensor<1x8x512x128xbf16>, %arg2: tensor<1x8x512x128xbf16>) -> tensor<1x32x512x128xbf16> {
    %extracted_slice = tensor.extract_slice %arg0[0, 0, 0, 0] [1, 32, 128, 128] [1, 1, 1, 1] : tensor<1x32x512x128xbf16> to tensor<1x32x128x128xbf16>
    %extracted_slice_0 = tensor.extract_slice %arg1[0, 0, 0, 0] [1, 8, 128, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x128x128xbf16>
    %extracted_slice_1 = tensor.extract_slice %arg2[0, 0, 0, 0] [1, 8, 128, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x128x128xbf16>
    %0 = dattn.micro_attention %extracted_slice, %extracted_slice_0, %extracted_slice_1 mask(<causal>) : tensor<1x32x128x128xbf16>, tensor<1x8x128x128xbf16>, tensor<1x8x128x128xbf16> -> !dattn.state<1x32x128x128>
    %out = dattn.finalize %0 : !dattn.state<1x32x128x128> -> tensor<1x32x128x128xbf16>
    %extracted_slice_2 = tensor.extract_slice %arg0[0, 0, 128, 0] [1, 32, 128, 128] [1, 1, 1, 1] : tensor<1x32x512x128xbf16> to tensor<1x32x128x128xbf16>
    %1 = dattn.micro_attention %extracted_slice_2, %extracted_slice_0, %extracted_slice_1 : tensor<1x32x128x128xbf16>, tensor<1x8x128x128xbf16>, tensor<1x8x128x128xbf16> -> !dattn.state<1x32x128x128>
    %extracted_slice_3 = tensor.extract_slice %arg1[0, 0, 128, 0] [1, 8, 128, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x128x128xbf16>
    %extracted_slice_4 = tensor.extract_slice %arg2[0, 0, 128, 0] [1, 8, 128, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x128x128xbf16>
    %2 = dattn.micro_attention %extracted_slice_2, %extracted_slice_3, %extracted_slice_4 mask(<causal, q = 128 + 1 * i, k = 128 + 1 * j>) : tensor<1x32x128x128xbf16>, tensor<1x8x128x128xbf16>, tensor<1x8x128x128xbf16> -> !dattn.state<1x32x128x128>
    %3 = dattn.merge %1, %2 : !dattn.state<1x32x128x128>
    %out_5 = dattn.finalize %3 : !dattn.state<1x32x128x128> -> tensor<1x32x128x128xbf16>
    %extracted_slice_6 = tensor.extract_slice %arg0[0, 0, 256, 0] [1, 32, 128, 128] [1, 1, 1, 1] : tensor<1x32x512x128xbf16> to tensor<1x32x128x128xbf16>
    %4 = dattn.micro_attention %extracted_slice_6, %extracted_slice_0, %extracted_slice_1 : tensor<1x32x128x128xbf16>, tensor<1x8x128x128xbf16>, tensor<1x8x128x128xbf16> -> !dattn.state<1x32x128x128>
    %5 = dattn.micro_attention %extracted_slice_6, %extracted_slice_3, %extracted_slice_4 : tensor<1x32x128x128xbf16>, tensor<1x8x128x128xbf16>, tensor<1x8x128x128xbf16> -> !dattn.state<1x32x128x128>
    %extracted_slice_7 = tensor.extract_slice %arg1[0, 0, 256, 0] [1, 8, 128, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x128x128xbf16>
    %extracted_slice_8 = tensor.extract_slice %arg2[0, 0, 256, 0] [1, 8, 128, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x128x128xbf16>
    %6 = dattn.micro_attention %extracted_slice_6, %extracted_slice_7, %extracted_slice_8 mask(<causal, q = 256 + 1 * i, k = 256 + 1 * j>) : tensor<1x32x128x128xbf16>, tensor<1x8x128x128xbf16>, tensor<1x8x128x128xbf16> -> !dattn.state<1x32x128x128>
    %7 = dattn.merge %4, %5, %6 : !dattn.state<1x32x128x128>
    %out_9 = dattn.finalize %7 : !dattn.state<1x32x128x128> -> tensor<1x32x128x128xbf16>
    %extracted_slice_10 = tensor.extract_slice %arg0[0, 0, 384, 0] [1, 32, 128, 128] [1, 1, 1, 1] : tensor<1x32x512x128xbf16> to tensor<1x32x128x128xbf16>
    %8 = dattn.micro_attention %extracted_slice_10, %extracted_slice_0, %extracted_slice_1 : tensor<1x32x128x128xbf16>, tensor<1x8x128x128xbf16>, tensor<1x8x128x128xbf16> -> !dattn.state<1x32x128x128>
    %9 = dattn.micro_attention %extracted_slice_10, %extracted_slice_3, %extracted_slice_4 : tensor<1x32x128x128xbf16>, tensor<1x8x128x128xbf16>, tensor<1x8x128x128xbf16> -> !dattn.state<1x32x128x128>
    %10 = dattn.micro_attention %extracted_slice_10, %extracted_slice_7, %extracted_slice_8 : tensor<1x32x128x128xbf16>, tensor<1x8x128x128xbf16>, tensor<1x8x128x128xbf16> -> !dattn.state<1x32x128x128>
    %extracted_slice_11 = tensor.extract_slice %arg1[0, 0, 384, 0] [1, 8, 128, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x128x128xbf16>
    %extracted_slice_12 = tensor.extract_slice %arg2[0, 0, 384, 0] [1, 8, 128, 128] [1, 1, 1, 1] : tensor<1x8x512x128xbf16> to tensor<1x8x128x128xbf16>
    %11 = dattn.micro_attention %extracted_slice_10, %extracted_slice_11, %extracted_slice_12 mask(<causal, q = 384 + 1 * i, k = 384 + 1 * j>) : tensor<1x32x128x128xbf16>, tensor<1x8x128x128xbf16>, tensor<1x8x128x128xbf16> -> !dattn.state<1x32x128x128>
    %12 = dattn.merge %8, %9, %10, %11 : !dattn.state<1x32x128x128>
    %out_13 = dattn.finalize %12 : !dattn.state<1x32x128x128> -> tensor<1x32x128x128xbf16>
    %concat = tensor.concat dim(2) %out, %out_5, %out_9, %out_13 : (tensor<1x32x128x128xbf16>, tensor<1x32x128x128xbf16>, tensor<1x32x128x128xbf16>, tensor<1x32x128x128xbf16>) -> tensor<1x32x512x128xbf16>
    return %concat : tensor<1x32x512x128xbf16>
  }
}

