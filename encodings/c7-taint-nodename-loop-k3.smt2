; kbmc dump: 3 frame(s) of one step each (--semantics interleaved) from the initial state
; benchmark generated from rust API
(set-info :status unknown)
(declare-fun step@0 () Int)
(declare-fun step@1 () Int)
(declare-fun pod.agent.tainted-0.terminating@2 () Int)
(declare-fun step@2 () Int)
(declare-fun pod.agent.tainted-0.bound@3 () Int)
(declare-fun pod.agent.tainted-0.terminating@3 () Int)
(assert
 (let (($x49 (= step@0 0)))
 (or $x49)))
(assert
 (let (($x74 (= step@1 28)))
 (let (($x72 (= step@1 11)))
 (or $x72 $x74))))
(assert
 (let (($x72 (= step@1 11)))
 (let ((?x76 (ite $x72 0 1)))
 (= pod.agent.tainted-0.terminating@2 ?x76))))
(assert
 (let (($x85 (= step@2 13)))
 (let (($x82 (= step@2 0)))
 (or $x82 $x85))))
(assert
 (let (($x81 (< 0 pod.agent.tainted-0.terminating@2)))
 (let (($x85 (= step@2 13)))
 (=> $x85 $x81))))
(assert
 (let (($x82 (= step@2 0)))
 (let ((?x92 (ite $x82 1 0)))
 (= pod.agent.tainted-0.bound@3 ?x92))))
(assert
 (let (($x82 (= step@2 0)))
 (let ((?x98 (ite $x82 pod.agent.tainted-0.terminating@2 0)))
 (= pod.agent.tainted-0.terminating@3 ?x98))))
(assert
 (let (($x35 (and or (> pod.agent.tainted-0.terminating@3 pod.agent.tainted-0.terminating@2))))
 (let (($x45 (= false false)))
 (let (($x46 (= 0 0)))
 (let (($x42 (= 1 1)))
 (let (($x44 (= 0 pod.agent.tainted-0.bound@3)))
 (let (($x79 (= true true)))
 (let (($x25 (and $x79 $x79 $x79 $x46 $x46 $x46 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x46 $x46 $x46 $x46 $x44 $x46 $x46 $x46 $x46 $x46 (= pod.agent.tainted-0.terminating@2 pod.agent.tainted-0.terminating@3) $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x42 $x46 $x45)))
 (let (($x74 (= step@1 28)))
 (let (($x78 (or $x74)))
 (let (($x37 (and $x78 (> pod.agent.tainted-0.terminating@2 0))))
 (let (($x43 (= 0 pod.agent.tainted-0.terminating@3)))
 (let (($x30 (and $x79 $x79 $x79 $x46 $x46 $x46 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x46 $x46 $x46 $x46 (= 1 pod.agent.tainted-0.bound@3) $x46 $x46 $x46 $x46 $x46 $x43 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x42 $x46 $x45)))
 (let (($x41 (and $x79 $x79 $x79 $x46 $x46 $x46 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x45 $x46 $x46 $x46 $x46 $x44 $x46 $x46 $x46 $x46 $x46 $x43 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x46 $x42 $x46 $x45)))
 (let (($x22 (or (and $x41 (or (and or (> 0 0)) $x37 $x35)) (and $x30 (or $x37 $x35)) (and $x25 (or $x35)))))
 (or $x22))))))))))))))))
(check-sat)
